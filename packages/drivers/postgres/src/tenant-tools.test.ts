/**
 * What hiding the server-wide catalogs costs a tenant, on the machine's server (the revocations
 * happen inside the tenants' own databases only): migrations, psql's `\d` commands and pg_dump
 * of its own database keep working; who is connected where does not show; role names still do,
 * as docs/drivers/postgres.md says, because PostgreSQL names any role from its oid.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger, type DriverContext } from '@paved/driver-api';
import { createPostgresDriver } from './index.js';
import { MACHINE_CONFIG, MACHINE_URL, postgresTarget, unreachable, withSession } from './test-support.js';

const run = promisify(execFile);
const skip = await unreachable(MACHINE_URL);
const tools = await run('pg_dump', ['--version']).then(() => undefined, () => 'pg_dump and psql are not installed');
const reason = skip ?? tools;
const skipHere = reason !== undefined && process.env.CI !== 'true';
if (skipHere) console.warn(`skipping the tenant tools tests: ${reason}`);

describe.skipIf(skipHere)('postgres: a tenant\'s tools with the hidden catalogs', () => {
  const driver = createPostgresDriver();
  const target = postgresTarget('machine', MACHINE_URL, MACHINE_CONFIG);
  const contexts: DriverContext[] = [];
  const create = async () => {
    const externalName = `pv_conf_${randomBytes(6).toString('hex')}`;
    const ctx: DriverContext = {
      instance: { id: externalName, team: 'team-a', name: 'db', externalName, product: 'postgres', plan: 'small', values: {} },
      target,
      secrets: { password: randomBytes(24).toString('hex') },
      signal: new AbortController().signal,
      logger: silentLogger,
    };
    contexts.push(ctx);
    return { ctx, outputs: (await driver.create(ctx)).outputs };
  };
  afterAll(async () => {
    for (const ctx of contexts) for (const step of driver.deletion) await step.run(ctx).catch(() => {});
    await driver.close?.();
  });

  it('migrations, \\dt, \\d and pg_dump (plain and custom format) work; pg_stat_activity and pg_auth_members are refused; role names stay visible', async () => {
    const { outputs } = await create();
    const other = await create();
    await withSession(outputs, {}, async (c) => {
      await c.query('CREATE TABLE notes (id serial PRIMARY KEY, body text)');
      await c.query('ALTER TABLE notes ADD COLUMN at timestamptz DEFAULT now()');
      await c.query('CREATE INDEX notes_at ON notes (at)');
      await c.query('CREATE VIEW recent AS SELECT * FROM notes ORDER BY at DESC LIMIT 10');
      await c.query("INSERT INTO notes (body) VALUES ('kept')");
      await expect(c.query('SELECT usename, datname FROM pg_stat_activity')).rejects.toMatchObject({ code: '42501' });
      await expect(c.query('SELECT * FROM pg_auth_members')).rejects.toMatchObject({ code: '42501' });
      // Not hidden, and documented so: role names, and the list of databases pg_dump needs.
      const { rows } = await c.query<{ name: string }>('SELECT pg_get_userbyid(oid) AS name FROM pg_roles WHERE rolname = $1', [other.outputs.username]);
      expect(rows).toEqual([{ name: other.outputs.username }]);
    });
    const env = { ...process.env, PGHOST: outputs.host, PGPORT: outputs.port, PGUSER: outputs.username, PGPASSWORD: outputs.password, PGDATABASE: outputs.database };
    const psql = (command: string) => run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-c', command], { env, timeout: 30_000 });
    expect((await psql('\\dt')).stdout).toMatch(/notes\s+\| table/);
    expect((await psql('\\d notes')).stdout).toContain('notes_at');
    expect((await psql('\\dv')).stdout).toContain('recent');
    const plain = await run('pg_dump', ['--no-owner'], { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    expect(plain.stdout).toContain('CREATE TABLE public.notes');
    expect(plain.stdout).toContain('kept');
    const custom = await run('pg_dump', ['-Fc', '--no-sync'], { env, timeout: 60_000, encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 });
    expect(custom.stdout.subarray(0, 5).toString()).toBe('PGDMP');
  });
});
