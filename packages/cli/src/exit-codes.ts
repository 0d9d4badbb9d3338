import { errorCatalogue, toPavedError, type PavedError } from '@paved/model';
import type { Colors } from './colors.js';
import { printable } from './terminal-text.js';

/** The exit code of any thrown value, through errorCatalogue and nowhere else. */
export function exitCodeFor(error: unknown): number {
  return errorCatalogue[toPavedError(error).kind].exitCode;
}

const hints: Partial<Record<PavedError['kind'], string>> = {
  unauthenticated: 'sign in with: paved login --url URL --token -   (or start a local Paved with: paved up)',
  'not-allowed': 'ask an owner of the team to add you: paved teams add-member TEAM USER --role member',
};

/**
 * "Ask to be added" helps only a refusal for not being in the team (or one with no more precise
 * code); a policy's refusal, a four-eyes rule or a message that already names the command to run
 * next would be misled by it.
 */
function needsMembershipHint(error: PavedError): boolean {
  return (error.code === 'not_team_member' || error.code === 'not_allowed') && !error.message.includes('paved ');
}

/** `error: message`, one line per issue, and a hint where one helps. Never includes a secret: messages are the server's. */
export function formatError(error: unknown, colors: Colors): string {
  const paved = toPavedError(error);
  const lines = [`${colors.red('error:')} ${paved.message}`];
  // A multi-line message already lists its problems (with file and line), and a one-line
  // message often is its one issue: don't repeat them.
  if (!paved.message.includes('\n') && !saysItsOneIssue(paved.message, paved.issues)) {
    for (const issue of paved.issues) if (!paved.message.includes(issue.message)) lines.push(`  - ${issue.path}: ${issue.message}`);
  }
  const hint = paved.kind === 'not-allowed' && !needsMembershipHint(paved) ? undefined : hints[paved.kind];
  if (hint) lines.push(colors.dim(`hint: ${hint}`));
  if (paved.kind === 'internal' && paved.cause instanceof Error) lines.push(colors.dim(`cause: ${paved.cause.message}`));
  // The message may quote a driver's or an automation's words: printable only (terminal-text.ts).
  return printable(lines.join('\n') + '\n', { newlines: true });
}

/**
 * A message about one problem that names what the problem is about ("Team "x" does not exist"
 * for `team: no such team`) already says it: printing the issue too says it twice.
 */
function saysItsOneIssue(message: string, issues: readonly { path: string; message: string }[]): boolean {
  if (issues.length !== 1) return false;
  const subject = issues[0]!.path.split(/[./]/).pop()?.toLowerCase() ?? '';
  return subject !== '' && message.toLowerCase().includes(subject);
}

/** The exit code table of docs/cli.md, generated from errorCatalogue (a test keeps the doc in step). */
export function exitCodeTable(): string {
  const rows = Object.values(errorCatalogue).map((e) => `| ${e.exitCode} | ${e.kind} | ${e.status} | ${e.title} |`);
  return [
    '| exit code | error kind | HTTP status | meaning |',
    '| --- | --- | --- | --- |',
    '| 0 | — | — | success |',
    '| 1 | — | — | `paved audit verify`: the audit log failed verification (every problem is printed); `paved upgrade`: the preview says it cannot go ahead, or nobody confirmed |',
    ...rows,
    '| 2 | usage | — | unknown command or option, missing argument (commander) |',
    '| 130 | — | — | `--wait` interrupted with Ctrl-C (the work goes on in Paved) |',
    '| 128+N | — | — | `paved run`: the child was killed by signal N; otherwise its own exit code |',
  ].join('\n');
}
