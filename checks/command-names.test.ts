import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, type Io } from '@paved/cli';
import { mentionsInMarkdown, mentionsInTypeScript, problemWith, type Mention } from './command-mentions.js';
import { markdownFiles, productionSources, root } from './repository.js';

/**
 * Every `paved …` command line that a message, a comment or a document tells someone to run
 * exists, with the flags it shows (docs/architecture.md#interfaces). What counts as a mention
 * and what is checked: command-mentions.ts.
 */

/** The CLI's real command tree: the program `paved` runs, never run here. */
const silent = { write: () => true };
const io: Io = { stdout: silent, stderr: silent, stdin: process.stdin, env: {}, onSignal: () => () => {} };
const program = buildProgram({ io, setExitCode: () => {} });

/**
 * The word `paved` followed by a word in code that is not a command line, each with why. An
 * entry that no longer matches anything fails the test, so that this list stays short and true.
 */
const NOT_COMMAND_LINES: readonly { file: string; text: string; why: string }[] = [
  { file: 'packages/platform/src/start-paved.ts', text: 'paved started', why: 'the log line of a starting process (e2e/harness.ts waits for it)' },
];

const problem = (mention: string) => problemWith(program, mention);

describe('the command-line scanner', () => {
  it('takes real commands with their flags, global flags, placeholders and prose after the command', () => {
    for (const ok of [
      'paved create postgres orders-db --team payments --plan large --set extensions=\'["citext"]\' --wait',
      'paved products show NAME --version 1.2.0 -o yaml',
      'paved products',
      'paved teams add-member TEAM USER [--role owner|member|viewer]',
      'paved env NAME… [--format dotenv|json|shell] [--prefix P | --no-prefix]',
      'paved logs SERVICE --env ENV [-f|--follow] [-o json|yaml]',
      'paved login --url URL --token -',
      'paved run --instance orders-db -- npm start --no-such-flag',
      'paved init writes only into a new or empty folder (choose another with --nope)',
      'paved get NAME. Then something --else',
      'paved --version',
      'paved COMMAND --help',
      'paved reconcile ${…} --wait',
    ]) expect(problem(ok), ok).toBeUndefined();
  });

  it('names what does not exist: a command, a subcommand, a flag, a choice', () => {
    expect(problem('paved wait orders-db')).toBe('there is no command `paved wait`');
    expect(problem('paved products get NAME')).toMatch(/^`paved products` has no subcommand get \(it has list, show, /);
    expect(problem('paved delete orders-db --force')).toMatch(/^`paved delete` has no option --force \(it takes --wait, --timeout, --url/);
    expect(problem('paved list -o xml')).toBe('`paved list -o` takes table, json, yaml, not xml');
    expect(problem('paved teams add-member TEAM USER --role boss')).toBe('`paved teams add-member --role` takes owner, member, viewer, not boss');
  });

  it('reads string and template literals and code in comments, never prose, identifiers or other names', () => {
    const source = [
      "import { x } from '@paved/model';",
      '// paved wait in a comment is prose; `paved migrate` in code is a command line',
      'const pavedClient = 1; // Paved said so',
      "throw new Error(`no such team; see: paved teams --team ${team}`);",
      "const url = 'https://paved.dev/problems/x', pkg = 'packages/paved-x';",
      "const help = 'Examples:\\n  paved up   # a local Paved\\n  paved rotate db';",
      "log('retrying will not help: run \"paved reconcile\" once fixed');",
    ].join('\n');
    expect(mentionsInTypeScript('x.ts', source)).toEqual([
      { file: 'x.ts', line: 2, text: 'paved migrate' },
      { file: 'x.ts', line: 4, text: 'paved teams --team ${…}' },
      { file: 'x.ts', line: 6, text: 'paved up' },
      { file: 'x.ts', line: 6, text: 'paved rotate db' },
      { file: 'x.ts', line: 7, text: 'paved reconcile' },
    ]);
  });

  it('reads fenced blocks and inline code of Markdown, also wrapped, never prose', () => {
    const doc = [
      '# Paved', // 1
      '',
      'paved exits with the code of its child; `paved get NAME` shows it.', // 3
      '- `paved init NAME [--team T]', // 4
      '  [--apply]` starts a service; so does `paved', // 5
      '  up`.', // 6
      '',
      '```sh', // 8
      'npx paved products show postgres   # the catalog', // 9
      '```', // 10
      'Use `@paved/client` or <https://paved.dev>.', // 11
    ].join('\n');
    expect(mentionsInMarkdown('d.md', doc)).toEqual([
      { file: 'd.md', line: 3, text: 'paved get NAME' },
      { file: 'd.md', line: 4, text: 'paved init NAME [--team T] [--apply]' },
      { file: 'd.md', line: 5, text: 'paved up' },
      { file: 'd.md', line: 9, text: 'paved products show postgres' },
    ]);
  });
});

describe('command lines in messages, comments and docs', () => {
  const mentions: Mention[] = [
    ...productionSources().flatMap((file) => mentionsInTypeScript(file, readFileSync(join(root, file), 'utf8'))),
    ...markdownFiles().flatMap((file) => mentionsInMarkdown(file, readFileSync(join(root, file), 'utf8'))),
  ];
  const isExempt = (m: Mention) => NOT_COMMAND_LINES.some((e) => e.file === m.file && m.text === e.text);

  it('finds them where they are known to be (a scan that matches nothing would pass on nothing)', () => {
    expect(mentions.length).toBeGreaterThan(300);
    const has = (file: string, text: string) => mentions.some((m) => m.file === file && m.text.startsWith(text));
    expect(has('packages/cli/src/root-program.ts', 'paved create postgres orders-db --team my-team --wait')).toBe(true);
    expect(has('packages/engine/src/failure.ts', 'paved reconcile')).toBe(true);
    expect(has('README.md', 'paved up')).toBe(true);
    expect(has('docs/cli.md', 'paved reconcile NAME [--team T] [--wait]')).toBe(true);
    expect(has('docs/errors.md', 'paved login')).toBe(true);
    for (const exempt of NOT_COMMAND_LINES) expect(mentions.some((m) => isExempt(m) && m.file === exempt.file), `${exempt.file}: ${exempt.text}`).toBe(true);
  });

  it('name only commands and flags the CLI has', () => {
    const wrong = mentions
      .filter((m) => !isExempt(m))
      .flatMap((m) => {
        const why = problem(m.text);
        return why === undefined ? [] : [`${m.file}:${m.line}: "${m.text}": ${why}`];
      });
    expect(wrong, 'fix the message or doc (see `paved --help`), or the CLI').toEqual([]);
  });
});
