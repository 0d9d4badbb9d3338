/**
 * Feedback and help end to end, through the built CLI and a real server and engine (SQLite,
 * the script example product, no outside service): `paved create --wait` in a pipe never asks;
 * in a real pseudo-terminal (util-linux `script`) it asks once after Ready, and the owner team
 * sees the score and comment; `paved help` reaches the owner team and counts as an intervention.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, freePort, paved, pavedOk, startServer, tempDir, type ServerProcess } from './harness.js';

const PROVISION = fileURLToPath(new URL('../examples/script-product/provision.mjs', import.meta.url));
const EXAMPLE_PRODUCT = fileURLToPath(new URL('../examples/script-product/object-store.yaml', import.meta.url));

/**
 * Runs `paved ARGS` with a pseudo-terminal as its stdin, stdout and stderr, and answers the
 * prompts: each [text, keys] pair types `keys` once `text` has appeared on the terminal.
 * Resolves with the exit code and everything the terminal showed.
 */
function pavedInTerminal(args: string[], env: NodeJS.ProcessEnv, answers: [string, string][]): Promise<{ code: number; screen: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // -q: no banner; -f: flush at once; -e: exit with the command's code; -c: the command.
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, NO_COLOR: '1', CI: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  const pending = [...answers];
  const answer = () => {
    while (pending.length > 0 && screen.includes(pending[0]![0])) child.stdin.write(pending.shift()![1]);
  };
  child.stdout.on('data', (chunk) => {
    screen += chunk;
    answer();
  });
  child.stderr.on('data', (chunk) => (screen += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, screen }));
  });
}

describe('feedback and help through the CLI', () => {
  const dir = tempDir('e2e-feedback');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const team = `shop-${Math.random().toString(16).slice(2, 8)}`;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    const root = join(dir, 'buckets');
    mkdirSync(root, { mode: 0o700 });
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, [
      'apiVersion: paved.dev/v1alpha1',
      'kind: Target',
      'metadata: { name: buckets, labels: { kind: local-files } }',
      'spec:',
      '  driver: script',
      `  config: { executable: ${JSON.stringify(PROVISION)}, timeout: 30s, checks: [connect, write-read, isolation], root: ${JSON.stringify(root)} }`,
      '',
    ].join('\n'));
    const port = await freePort();
    server = await startServer(
      ['up'],
      { ...admin, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port), PAVED_TARGETS_FILE: targets, PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'warn' },
      { port },
    );
    await pavedOk(['apply', '-f', EXAMPLE_PRODUCT], admin);
    await pavedOk(['teams', 'create', team], admin);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never asks in a pipe; asks once in a terminal, and the owner team sees the answer', async () => {
    const piped = await paved(['create', 'object-store', 'piped', '--team', team, '--wait', '--timeout', '60s'], admin);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).not.toContain('How was getting');

    const asked = await pavedInTerminal(['create', 'object-store', 'asked', '--team', team, '--wait', '--timeout', '60s'], admin, [
      ['How was getting object-store (asked is Ready)?', '\x1b[B\x1b[B\r'], // 5 → 3
      ['Anything they should know?', 'Slow to get keys\r'],
    ]);
    expect(asked.code, asked.screen).toBe(0);
    expect(asked.screen).toContain('asked is Ready');
    expect(asked.screen).toContain('Thanks: your feedback went to the object-store team.');

    // Asked once per instance: a later wait on it in a terminal does not ask again.
    const again = await pavedInTerminal(['reconcile', 'asked', '--team', team, '--wait', '--timeout', '60s'], admin, []);
    expect(again.code, again.screen).toBe(0);
    expect(again.screen).not.toContain('How was getting');

    const seen = JSON.parse(await pavedOk(['metrics', 'feedback', 'object-store', '--weeks', '1', '-o', 'json'], admin));
    expect(seen.comments).toEqual([expect.objectContaining({ team, score: 3, comment: 'Slow to get keys', version: '1.0.0' })]);
    expect(seen.weeks[0]).toMatchObject({ responses: 1, averageScore: 3 });
  }, 120_000);

  it('--no-feedback skips the question in a terminal too', async () => {
    const skipped = await pavedInTerminal(['create', 'object-store', 'quiet', '--team', team, '--wait', '--timeout', '60s', '--no-feedback'], admin, []);
    expect(skipped.code, skipped.screen).toBe(0);
    expect(skipped.screen).not.toContain('How was getting');
  }, 120_000);

  it('paved help reaches the owner team and counts as an intervention', async () => {
    const asked = await paved(['help', 'piped', 'Where', 'are', 'my', 'keys?', '--team', team], admin);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toContain('#platform');
    const requests = JSON.parse(await pavedOk(['metrics', 'help-requests', 'object-store', '-o', 'json'], admin));
    expect(requests).toEqual([expect.objectContaining({ team, instance: 'piped', message: 'Where are my keys?' })]);
    const interventions = JSON.parse(await pavedOk(['metrics', 'interventions', '--team', team, '--weeks', '1', '-o', 'json'], admin));
    expect(interventions.weeks[0].byKind).toEqual({ help: 1 });
    const unasked = await paved(['feedback', 'object-store'], admin);
    expect([unasked.code, unasked.stderr]).toEqual([2, expect.stringContaining('--score')]);
  }, 60_000);
});
