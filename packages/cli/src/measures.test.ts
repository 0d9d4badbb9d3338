import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCatalogue, type Instance } from '@paved/model';
import type { Store } from '@paved/store';
import { Context } from './context.js';
import { askForFeedback, askedPath } from './feedback-prompt.js';
import type { Io } from './io.js';
import { cliSandbox, seedShop, startTestApi } from './test-support.js';

/**
 * The measures' commands, `paved feedback` and `paved help` against a real API (SQLite store),
 * and the feedback prompt driven through a fake terminal: keystrokes are written when the
 * prompt has shown its question (a signal, not a sleep).
 */
let store: Store;
let app: FastifyInstance;
let url: string;
let sandbox: Awaited<ReturnType<typeof cliSandbox>>;
let devToken: string;
let db: Instance;
const exit = (kind: keyof typeof errorCatalogue) => errorCatalogue[kind].exitCode;

beforeAll(async () => {
  sandbox = await cliSandbox();
  const api = await startTestApi(sandbox.dir);
  ({ store, app, url } = api);
  ({ devToken, db } = await seedShop(store));
  await sandbox.run(['login', '--url', url, '--token', '-'], { stdin: `${api.adminToken}\n` });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await sandbox?.cleanup();
});

const asDev = { env: { PAVED_TOKEN: '' } };
const dev = (argv: string[]) => sandbox.run([...argv, '--token', devToken, '--team', 'shop'], asDev);

describe('paved help and paved feedback', () => {
  it('asks the product\'s team for help, which they list', async () => {
    const asked = await dev(['help', 'db', 'It', 'stays', 'Pending']);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toContain('Asked the platform team for help with db (postgres); they see it with: paved metrics help-requests postgres');
    expect(asked.stdout).toContain('#data-platform');
    const listed = await sandbox.run(['metrics', 'help-requests', 'postgres', '-o', 'json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ team: 'shop', instance: 'db', actor: 'dev', message: 'It stays Pending' })]);
    const table = await sandbox.run(['metrics', 'help-requests', 'postgres']);
    expect(table.stdout).toMatch(/shop\s+db\s+dev\s+It stays Pending/);
    expect((await sandbox.run(['metrics', 'help-requests', 'postgres', '--token', devToken], asDev)).code).toBe(exit('not-allowed'));
    const empty = await dev(['help', 'db']);
    expect([empty.code, empty.stderr]).toEqual([exit('input'), expect.stringContaining('paved help db "what is wrong"')]);
  });

  it('still prints usage help: alone, and for a command', async () => {
    const alone = await sandbox.run(['help']);
    expect([alone.code, alone.stdout]).toEqual([0, expect.stringContaining('Usage: paved [options] [command]')]);
    const forCreate = await sandbox.run(['help', 'create']);
    expect([forCreate.code, forCreate.stdout]).toEqual([0, expect.stringContaining('Usage: paved create [options] <product> <name>')]);
  });

  it('gives feedback with flags, and refuses to ask where nobody can answer', async () => {
    const given = await dev(['feedback', 'postgres', '--score', '4', '--comment', 'Easy', '--instance', 'db', '-o', 'json']);
    expect(given.code, given.stderr).toBe(0);
    expect(JSON.parse(given.stdout)).toMatchObject({ product: 'postgres', version: '1.2.0', score: 4 });
    expect((await dev(['feedback', 'postgres', '--score', '2', '--instance', 'db'])).code).toBe(exit('conflict'));
    // stdin is not a terminal here: no prompt, no wait, exit 2.
    const unasked = await dev(['feedback', 'postgres']);
    expect([unasked.code, unasked.stderr]).toEqual([exit('input'), expect.stringContaining('--score')]);
    const shown = await sandbox.run(['metrics', 'feedback', 'postgres', '--weeks', '1']);
    expect(shown.stdout).toMatch(/1\s+4\.0\s+0\s+0\s+0\s+1\s+0/);
    expect(shown.stdout).toMatch(/4\s+1\.2\.0\s+shop\s+Easy/);
  });
});

describe('paved metrics', () => {
  it('prints product analytics, adoption and interventions as tables and as the API\'s objects', async () => {
    const products = await sandbox.run(['metrics', 'products', '-o', 'json']);
    expect(products.code, products.stderr).toBe(0);
    expect(JSON.parse(products.stdout)).toEqual([expect.objectContaining({ product: 'postgres', owner: 'platform', liveInstances: 1, adoptingTeams: 1 })]);
    const one = await sandbox.run(['metrics', 'products', 'postgres', '--since', '7d']);
    expect(one.stdout).toMatch(/live instances:\s+1/);
    expect(one.stdout).toMatch(/time to Ready:\s+p50 -, p95 - over 0; SLO p95 ≤ 5\.0s/);
    expect(one.stdout).toMatch(/1\.2\.0\s+1\s+1\s+1/);
    const adoption = await sandbox.run(['metrics', 'adoption', '--weeks', '2']);
    expect(adoption.stdout).toMatch(/^Every team: catalogued services with resources from Paved/);
    expect(adoption.stdout.split('\n').filter((l) => /^\d{4}-\d{2}-\d{2}/.test(l))).toHaveLength(2);
    const mine = await dev(['metrics', 'interventions', '--weeks', '1', '-o', 'json']);
    expect(JSON.parse(mine.stdout)).toMatchObject({ team: 'shop', weeks: [{ byKind: { help: 1 } }] });
    const everyone = await sandbox.run(['metrics', 'interventions', '--weeks', '1']);
    expect(everyone.stdout).toMatch(/Per team\n/);
    expect((await sandbox.run(['metrics', 'adoption', '--weeks', '0'])).code).toBe(exit('input'));
    expect((await dev(['metrics', 'products'])).code).toBe(exit('not-allowed'));
  });
});

/** A terminal as the prompt sees it: TTY streams, keystrokes on stdin, what was shown on stderr. */
function fakeTerminal(env: NodeJS.ProcessEnv = {}) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
  let shown = '';
  const waiting: { text: string; resolve(): void }[] = [];
  const io: Io = {
    stdin,
    stdout: { write: () => true, isTTY: true },
    stderr: {
      isTTY: true,
      write(chunk: string) {
        shown += chunk;
        for (const w of waiting.filter((w) => shown.includes(w.text))) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve();
        }
        return true;
      },
    },
    env: { PAVED_CLI_CONFIG: sandbox.configPath, ...env },
    onSignal: () => () => {},
  };
  return {
    io,
    shown: () => shown,
    /** Resolves once `text` has been shown. */
    seen: (text: string) => new Promise<void>((resolve) => (shown.includes(text) ? resolve() : waiting.push({ text, resolve }))),
    type: (keys: string) => stdin.write(keys),
  };
}

describe('the feedback prompt after a wait', () => {
  const contextFor = (io: Io, feedback?: boolean) => new Context(io, { output: 'table', url, token: devToken, ...(feedback === undefined ? {} : { feedback }) });

  it('asks once per instance in a terminal, and sends the score and comment', async () => {
    const instance = await store.createInstance({ teamId: db.teamId, name: 'asked', product: 'postgres', productVersion: '1.2.0', plan: 'small', inputs: {}, externalName: 'asked', target: 'mem', createdBy: 'dev' });
    const shown = { ...instance, status: { phase: 'Ready' as const, conditions: [] } };
    const term = fakeTerminal();
    const asking = askForFeedback(contextFor(term.io), shown);
    await term.seen('How was getting postgres (asked is Ready)?');
    term.type('\x1b[B'); // down: from 5 to 4
    term.type('\r');
    await term.seen('Anything they should know?');
    term.type('Quick and clear\r');
    await asking;
    expect(term.shown()).toContain('Thanks: your feedback went to the postgres team.');
    const comments = await store.listFeedbackComments({ product: 'postgres' });
    expect(comments.items[0]).toMatchObject({ score: 4, comment: 'Quick and clear', instanceId: instance.id, teamName: 'shop' });
    expect(JSON.parse(await readFile(askedPath(sandbox.configPath), 'utf8'))).toContain(instance.id);

    // Asked once: the same instance again shows nothing.
    const again = fakeTerminal();
    await askForFeedback(contextFor(again.io), shown);
    expect(again.shown()).toBe('');
  });

  it('ends on Esc, and after its time without an answer, sending nothing', async () => {
    const make = async (name: string) => ({
      ...(await store.createInstance({ teamId: db.teamId, name, product: 'postgres', productVersion: '1.2.0', plan: 'small', inputs: {}, externalName: name, target: 'mem', createdBy: 'dev' })),
      status: { phase: 'Failed' as const, conditions: [] },
    });
    const before = (await store.satisfaction('postgres', { since: 0, until: Date.now() + 1 })).length;
    const escaped = fakeTerminal();
    const asking = askForFeedback(contextFor(escaped.io), await make('escaped'));
    await escaped.seen('is Failed');
    escaped.type('\x1b');
    await asking;
    // Nobody answers: the prompt goes away by itself (a short time here; a minute for people).
    const ignored = fakeTerminal();
    await askForFeedback(contextFor(ignored.io), await make('ignored'), 200);
    expect(ignored.shown()).toContain('is Failed');
    expect((await store.satisfaction('postgres', { since: 0, until: Date.now() + 1 })).length).toBe(before);
  });

  it('never asks without a terminal, with CI set, with --no-feedback or PAVED_NO_FEEDBACK', async () => {
    const instance = { ...db, id: `never-${Math.random()}`, status: { phase: 'Ready' as const, conditions: [] } };
    const cases: [Io, boolean | undefined][] = [
      [{ ...fakeTerminal().io, stdin: Object.assign(new PassThrough(), { isTTY: false }) }, undefined],
      [{ ...fakeTerminal().io, stdout: { write: () => true, isTTY: false } }, undefined],
      [fakeTerminal({ CI: 'true' }).io, undefined],
      [fakeTerminal({ PAVED_NO_FEEDBACK: '1' }).io, undefined],
      [fakeTerminal().io, false],
    ];
    for (const [io, feedback] of cases) {
      const written: string[] = [];
      await askForFeedback(contextFor({ ...io, stderr: { isTTY: io.stderr.isTTY, write: (s: string) => written.push(s) } }, feedback), instance);
      expect(written).toEqual([]);
    }
  });
});
