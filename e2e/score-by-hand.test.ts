/**
 * A built-in Score type taken by hand (`paved create dns x`), end to end through the real CLI,
 * server, engine and score driver: the request is taken, and the instance fails for good on its
 * first pass ("Creating", not "Updating") with the score driver's own remedy (delete it, name
 * the resource in a score.yaml), not the engine's generic "run paved reconcile". SQLite, no
 * outside service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, paved, pavedOk, startServer, tempDir, type ServerProcess } from './harness.js';

const TARGETS_FILE = fileURLToPath(new URL('../examples/targets/local-services.yaml', import.meta.url));

describe('a Score resource taken by hand', () => {
  const dir = tempDir('e2e-score-by-hand');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    const port = await freePort();
    server = await startServer(['up'], {
      ...admin, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port),
      PAVED_TARGETS_FILE: TARGETS_FILE, PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'warn',
    }, { port });
    await pavedOk(['teams', 'create', 'web'], admin);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('fails on its first create and says to delete it and name it in a score.yaml', async () => {
    const created = await paved(['create', 'dns', 'x', '--team', 'web', '--wait', '--timeout', '60s'], admin);
    expect(created.code, created.stdout + created.stderr).toBe(8);
    expect(created.stderr).toContain('failed: Creating');
    expect(created.stderr).toContain('Retrying will not help: delete it (paved delete x --team web) and name the resource under resources: in a score.yaml');
    expect(created.stderr).not.toContain('paved reconcile');
    await pavedOk(['delete', 'x', '--team', 'web', '--wait', '--timeout', '60s'], admin);
  }, 120_000);
});
