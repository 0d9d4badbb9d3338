import { dirname, join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import type { Instance } from '@paved/model';
import { colorsEnabled, createColors } from './colors.js';
import type { Context } from './context.js';
import { exitCodeFor, formatError } from './exit-codes.js';
import type { Io } from './io.js';
import { waitUntilReady, type FollowInstance } from './wait.js';

/**
 * The feedback prompt after an instance became Ready or Failed under `--wait`
 * (docs/metrics/README.md#feedback): asked once per instance, never where nobody can answer.
 * It is skipped with --no-feedback or PAVED_NO_FEEDBACK, when CI is set, and unless stdin,
 * stdout and stderr are all terminals (a pipe, a closed stdin or a script never sees it).
 * Enter on "skip", Esc or Ctrl-C end it, and so does a minute without an answer; an error
 * sending the answer is one line on stderr. The command's output and exit code never change.
 */

/** How long the prompt waits for an answer before it goes away. */
export const FEEDBACK_TIMEOUT_MS = 60_000;
/** How many instance ids the CLI remembers having asked about. */
const REMEMBERED = 500;

/** Whether a person can answer here: all three streams are terminals, CI is not set, nobody said no. */
export function canAskForFeedback(io: Io, optedOut: boolean): boolean {
  if (optedOut || nonEmpty(io.env.PAVED_NO_FEEDBACK) || nonEmpty(io.env.CI)) return false;
  return (io.stdin as { isTTY?: boolean }).isTTY === true && io.stdout.isTTY === true && io.stderr.isTTY === true;
}

const nonEmpty = (value: string | undefined) => value !== undefined && value !== '' && value !== '0' && value !== 'false';

/** Beside the CLI config: the instances already asked about, newest last. */
export function askedPath(configPath: string): string {
  return join(dirname(configPath), 'feedback-asked.json');
}

// node:fs/promises loaded where used: this module is in every command's chunk, and most never
// ask (fs/promises loads readline and the fs watchers with it, ≈ 1 ms of `paved get`).
const fsPromises = () => import('node:fs/promises');

async function readAsked(path: string): Promise<string[]> {
  const { readFile } = await fsPromises();
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return []; // missing or unreadable: at worst the question comes once more
  }
}

/** Remembers `id`; false when it was already there (asked before). */
async function rememberAsked(path: string, id: string): Promise<boolean> {
  const asked = await readAsked(path);
  if (asked.includes(id)) return false;
  const { mkdir, rename, writeFile } = await fsPromises();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify([...asked, id].slice(-REMEMBERED)) + '\n', { mode: 0o600 });
  await rename(tmp, path);
  return true;
}

/** The prompt's output: stderr, so that stdout keeps only the command's data. */
function promptOutput(io: Io): Writable {
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      io.stderr.write(chunk.toString());
      done();
    },
  });
  // A terminal of unknown size (a pty nobody sized says 0 columns) gets 80, or every character would wrap.
  return Object.assign(out, { columns: (io.stderr as { columns?: number }).columns || 80, isTTY: true });
}

export interface FeedbackAnswer {
  score: number;
  comment?: string;
}

/**
 * Asks for a 1–5 score, then an optional comment, on stderr. Undefined when skipped, cancelled
 * (Esc, Ctrl-C) or not answered within `timeoutMs`; a comment left unanswered sends the score alone.
 */
export async function promptForFeedback(io: Io, question: string, timeoutMs = FEEDBACK_TIMEOUT_MS): Promise<FeedbackAnswer | undefined> {
  // Loaded here: only a terminal that is asked for feedback needs it.
  const { isCancel, select, text } = await import('@clack/prompts');
  const common = { input: io.stdin as Readable, output: promptOutput(io), signal: AbortSignal.timeout(timeoutMs) };
  const score = await select({
    ...common,
    message: question,
    options: [
      { value: 5, label: '5 excellent' },
      { value: 4, label: '4 good' },
      { value: 3, label: '3 fair' },
      { value: 2, label: '2 poor' },
      { value: 1, label: '1 bad' },
      { value: 0, label: 'skip', hint: 'or Esc; paved feedback PRODUCT any time' },
    ],
  });
  if (isCancel(score) || score === 0) return undefined;
  const comment = await text({ ...common, message: 'Anything they should know? (optional; Enter to send)' });
  return isCancel(comment) || comment === undefined || comment.trim() === '' ? { score } : { score, comment: comment.trim() };
}

/** Asks once about `instance` (Ready or Failed) and sends the answer; never throws. */
export async function askForFeedback(ctx: Context, instance: Instance, timeoutMs = FEEDBACK_TIMEOUT_MS): Promise<void> {
  if (!canAskForFeedback(ctx.io, ctx.options.feedback === false)) return;
  try {
    if (!(await rememberAsked(askedPath(ctx.configPath), instance.id))) return;
    const answer = await promptForFeedback(ctx.io, `How was getting ${instance.product} (${instance.name} is ${instance.status.phase})? Your answer goes to the team that runs it.`, timeoutMs);
    if (answer === undefined) return;
    await (await ctx.client()).giveFeedback(instance.product, { ...answer, instance: { team: instance.teamName, name: instance.name } });
    ctx.err(`Thanks: your feedback went to the ${instance.product} team.\n`);
  } catch (error) {
    ctx.err(`Feedback not sent: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

/**
 * `--wait` for Ready as waitUntilReady does, except that when the instance fails the failure is
 * shown first and the feedback question follows it (the command's exit code stays the
 * failure's). After Ready the command prints its result, then calls askForFeedback.
 */
export async function waitShowingFailureFirst(ctx: Context, team: string, name: string, timeout: { ms: number; text: string }, follow?: FollowInstance): Promise<Instance | number> {
  let settled: Instance | undefined;
  try {
    return await waitUntilReady(ctx, team, name, timeout, (instance) => (settled = instance), follow);
  } catch (error) {
    if (settled?.status.phase !== 'Failed') throw error;
    ctx.err(formatError(error, createColors(colorsEnabled(ctx.io) && ctx.io.stderr.isTTY === true)));
    await askForFeedback(ctx, settled);
    return exitCodeFor(error);
  }
}
