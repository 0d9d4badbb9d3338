/**
 * "Fix the cause, then run paved reconcile", end to end through the real CLI, server and engine:
 * a script target refuses to create (exit code 2: retrying cannot help), so the instance is
 * Failed and its condition says to reconcile once fixed; `paved reconcile --wait` has the engine
 * retry at once and reports its result, Failed again until the platform team fixes the target,
 * Ready after. SQLite, no outside service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, paved, pavedOk, startServer, tempDir, type ServerProcess } from './harness.js';

const PROVISION = fileURLToPath(new URL('../examples/script-product/provision.mjs', import.meta.url));
const EXAMPLE_PRODUCT = fileURLToPath(new URL('../examples/script-product/object-store.yaml', import.meta.url));

describe('paved reconcile after fixing the cause of a failure', () => {
  const dir = tempDir('e2e-reconcile');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const fixed = join(dir, 'account-restored');
  const team = `media-${Math.random().toString(16).slice(2, 8)}`;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    const root = join(dir, 'buckets');
    mkdirSync(root, { mode: 0o700 });
    // The platform team's script, behind a gate the test opens: until then every create is
    // refused for good, as a suspended cloud account would be.
    const gate = join(dir, 'gate.sh');
    writeFileSync(gate, [
      '#!/bin/sh',
      `if [ "$1" = create ] && [ ! -e ${JSON.stringify(fixed)} ]; then`,
      '  echo "object-store: the storage account is suspended; the platform team must restore it" >&2',
      '  exit 2',
      'fi',
      `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(PROVISION)} "$@"`,
      '',
    ].join('\n'));
    chmodSync(gate, 0o755);
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, [
      'apiVersion: paved.dev/v1alpha1',
      'kind: Target',
      'metadata: { name: gated-buckets, labels: { kind: local-files } }',
      'spec:',
      '  driver: script',
      `  config: { executable: ${JSON.stringify(gate)}, timeout: 30s, checks: [connect, write-read, isolation], root: ${JSON.stringify(root)} }`,
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

  it('retries a Failed instance at once, and --wait reports the result: Failed while the cause lasts, then Ready', async () => {
    const created = await paved(['create', 'object-store', 'assets', '--team', team, '--wait', '--timeout', '60s'], admin);
    expect(created.code, created.stdout + created.stderr).toBe(8);
    expect(created.stderr).toContain('the storage account is suspended');
    expect(created.stderr).toContain('fix the cause, then run "paved reconcile"');

    // Not fixed yet: the retry fails the same way, and the wait ends with it.
    const tooSoon = await paved(['reconcile', 'assets', '--team', team, '--wait', '--timeout', '60s'], admin);
    expect(tooSoon.code, tooSoon.stdout + tooSoon.stderr).toBe(8);
    expect(tooSoon.stderr).toContain('error: assets failed: Creating');
    expect(tooSoon.stderr).toContain('the storage account is suspended');

    writeFileSync(fixed, '');
    // Paved's own retry (its backoff is short after so few attempts) may get there first: then
    // the instance is Ready already. And a pass that began before the fix may report the old
    // failure after the request (it counts as the retry asked for; see the store's
    // requestReconcile): asking once more reports a pass that began after the fix.
    let retried = await paved(['reconcile', 'assets', '--team', team, '--wait', '--timeout', '60s'], admin);
    if (retried.code === 8) retried = await paved(['reconcile', 'assets', '--team', team, '--wait', '--timeout', '60s'], admin);
    expect(retried.code, retried.stdout + retried.stderr).toBe(0);
    expect(retried.stdout).toMatch(/assets is Ready/);
    const got = JSON.parse(await pavedOk(['get', 'assets', '--team', team, '-o', 'json'], admin));
    expect(got.status.phase).toBe('Ready');
  }, 120_000);
});
