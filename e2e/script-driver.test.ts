/**
 * A product provisioned by a platform team's script, end to end through the real CLI and
 * server: publish examples/script-product/object-store.yaml, create a bucket and wait for
 * Ready, read its credentials with `paved env`, find the folder on disk, delete it and see it
 * gone; and a request the script refuses shows the script's own reason in `paved get`.
 * Needs no outside service: the store is SQLite and the target is a folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, paved, pavedOk, startServer, tempDir, type ServerProcess } from './harness.js';

const EXAMPLE = fileURLToPath(new URL('../examples/script-product/', import.meta.url));
const suffix = Math.random().toString(16).slice(2, 8);

/** Reads a value out of `paved env --format json` output whatever prefix the variables have. */
function output(values: Record<string, string>, name: string): string {
  const key = Object.keys(values).find((k) => k === name.toUpperCase() || k.endsWith(`_${name.toUpperCase()}`));
  if (!key) throw new Error(`no ${name} in ${Object.keys(values).join(', ')}`);
  return values[key]!;
}

describe('a script-driven product end to end', () => {
  const dir = tempDir('e2e-script');
  const root = join(dir, 'buckets');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const team = `media-${suffix}`;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    mkdirSync(root, { mode: 0o700 });
    const targets = join(dir, 'targets.yaml');
    writeFileSync(
      targets,
      [
        'apiVersion: paved.dev/v1alpha1',
        'kind: Target',
        'metadata: { name: local-buckets, labels: { kind: local-files } }',
        'spec:',
        '  driver: script',
        '  config:',
        `    executable: ${JSON.stringify(join(EXAMPLE, 'provision.mjs'))}`,
        '    timeout: 30s',
        '    checks: [connect, write-read, isolation]',
        `    root: ${JSON.stringify(root)}`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    server = await startServer(
      ['up'],
      { ...admin, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port), PAVED_TARGETS_FILE: targets, PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'warn' },
      { port },
    );
    await pavedOk(['apply', '-f', join(EXAMPLE, 'object-store.yaml')], admin);
    await pavedOk(['teams', 'create', team], admin);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the product, provisions a bucket, hands out its key and removes it', async () => {
    const created = await paved(['create', 'object-store', 'reports', '--team', team, '--wait'], admin);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const got = JSON.parse(await pavedOk(['get', 'reports', '--team', team, '-o', 'json'], admin));
    expect(got.status.phase).toBe('Ready');
    expect(got.outputs.password).toBeUndefined(); // secret outputs only through an explicit reveal

    const env = JSON.parse(await pavedOk(['env', 'reports', '--team', team, '--format', 'json'], admin)) as Record<string, string>;
    const path = output(env, 'path');
    const password = output(env, 'password');
    expect(path).toBe(join(root, output(env, 'name')));
    expect(statSync(path).isDirectory()).toBe(true);
    // The issued key is the one the bucket accepts (the file holds its hash).
    expect(readFileSync(join(path, '.paved-access-key'), 'utf8').trim()).toBe(`sha256:${createHash('sha256').update(password).digest('hex')}`);

    await pavedOk(['delete', 'reports', '--team', team, '--wait'], admin);
    expect(existsSync(path)).toBe(false);
    const gone = await paved(['get', 'reports', '--team', team], admin);
    expect(gone.code).toBe(5);
  }, 120_000);

  it("shows the script's reason when it refuses a request, and deletes the failed instance", async () => {
    const created = await paved(['create', 'object-store', 'huge', '--team', team, '--set', 'quotaMb=5000', '--wait'], admin);
    expect(created.code, created.stdout + created.stderr).not.toBe(0);
    const shown = await pavedOk(['get', 'huge', '--team', team], admin);
    expect(shown).toContain('quota 5000 MB is more than plan "small" allows (maxQuotaMb 1024)');
    const got = JSON.parse(await pavedOk(['get', 'huge', '--team', team, '-o', 'json'], admin));
    expect(got.status.phase).toBe('Failed'); // exit code 2: permanent, no retries
    await pavedOk(['delete', 'huge', '--team', team, '--wait'], admin);
  }, 120_000);
});
