import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckSession, credentialName, type CheckSession, type Driver } from '@paved/driver-api';
import { runDriverChecks } from '@paved/driver-api/conformance';
import { DriverError } from '@paved/model';
import { createMysqlDriver } from './index.js';
import mysql from 'mysql2/promise';
import { ADMIN_URL, OTHER_HOST, TENANT_HOST, adminQuery, context, inventory, mysqlTarget, rotationContext, skipReason, tenantSession, uniqueName, withTenant } from './test-support.js';

const skip = await skipReason('mysql rotation and check tests');
const skipHere = skip !== undefined && process.env.CI !== 'true';

describe.skipIf(skipHere)('mysql credential rotation', () => {
  const target = mysqlTarget();
  let driver: Driver;
  const names: string[] = [];

  beforeAll(() => {
    driver = createMysqlDriver();
  });
  afterAll(async () => {
    for (const name of names) for (const step of driver.deletion) await step.run(context(target, name)).catch(() => {});
    await driver.close?.();
  });

  it('rotate adds a login alongside the old one; revoke removes the old login and cuts its sessions', async () => {
    const name = uniqueName('pv_rot');
    names.push(name);
    const first = context(target, name);
    const old = (await driver.create(first)).outputs;
    const oldSession = await tenantSession(old);
    try {
      await oldSession.query('CREATE TABLE t (v INT)');

      const second = rotationContext(first, 1, { rotation: 0, password: first.secrets.password ?? '' });
      const rotated = (await driver.rotate!(second)).outputs;
      expect(rotated).toMatchObject({ username: credentialName(name, 1), database: name, name, password: second.secrets.password });
      expect(rotated.url).toContain(`${credentialName(name, 1)}:`);
      expect(await driver.rotate!(second)).toEqual({ outputs: rotated }); // idempotent

      // Both credentials work during the grace period, on the same data.
      await oldSession.query('INSERT INTO t VALUES (1)');
      await withTenant(old, {}, (s) => s.query('INSERT INTO t VALUES (2)'));
      const [rows] = await withTenant(rotated, {}, (s) => s.query('SELECT COUNT(*) AS n FROM t'));
      expect(Number((rows as { n: number }[])[0]?.n)).toBe(2);
      expect(await driver.observe(second)).toMatchObject({ exists: true, upToDate: true, diff: [] });
      for (const check of driver.checks ?? []) await check.run({ target, instance: second.instance, outputs: rotated, signal: new AbortController().signal });

      await driver.revoke!(second);
      await driver.revoke!(second); // idempotent
      await expect(oldSession.query('SELECT 1')).rejects.toThrow();
      await expect(tenantSession(old)).rejects.toThrow(/^Access denied for user/);
      await withTenant(rotated, {}, (s) => s.query('INSERT INTO t VALUES (3)'));
      const r1 = credentialName(name, 1);
      expect((await inventory(name, { sessions: false })).sort()).toEqual([`database ${name}`, `grant to ${r1}@${OTHER_HOST}`, `grant to ${r1}@${TENANT_HOST}`, `user ${r1}@${OTHER_HOST}`, `user ${r1}@${TENANT_HOST}`]);
    } finally {
      oldSession.destroy();
    }
  });

  it('revoke refuses to remove the current credential', async () => {
    const name = uniqueName('pv_rot');
    names.push(name);
    const ctx = context(target, name);
    const { outputs } = await driver.create(ctx);
    const error = await driver.revoke!({ ...ctx, previousRotation: 0, previousSecrets: ctx.secrets }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).issues[0]?.path).toBe('previousRotation');
    await runDriverChecks(driver, { target, instance: ctx.instance, outputs });
  });

  it('deletion removes every login, whatever rotation it is at, and their sessions', async () => {
    const name = uniqueName('pv_rot');
    names.push(name);
    const first = context(target, name);
    const r0 = (await driver.create(first)).outputs;
    const second = rotationContext(first, 1, { rotation: 0, password: first.secrets.password ?? '' });
    const r1 = (await driver.rotate!(second)).outputs;
    const third = rotationContext(second, 2, { rotation: 1, password: second.secrets.password ?? '' });
    await driver.rotate!(third);
    const sessions = [await tenantSession(r0), await tenantSession(r1)];
    try {
      expect((await inventory(name)).filter((item) => item.startsWith('user '))).toHaveLength(6); // 3 logins × 2 host patterns
      for (const step of driver.deletion) await step.run(third);
      for (const session of sessions) await expect(session.query('SELECT 1')).rejects.toThrow();
      expect(await inventory(name)).toEqual([]);
      expect((await driver.observe(third)).exists).toBe(false);
    } finally {
      for (const session of sessions) session.destroy();
    }
  });
});

describe.skipIf(skipHere)('mysql contract checks', () => {
  const target = mysqlTarget();
  let driver: Driver;
  const names: string[] = [];
  const run = (check: string, outputs: Record<string, string>) => {
    const found = driver.checks?.find((c) => c.name === check);
    if (!found) throw new Error(`no check ${check}`);
    return found.run({ target, instance: context(target, outputs.database ?? '').instance, outputs, signal: new AbortController().signal });
  };

  beforeAll(() => {
    driver = createMysqlDriver();
  });
  afterAll(async () => {
    for (const name of names) for (const step of driver.deletion) await step.run(context(target, name)).catch(() => {});
    await driver.close?.();
  });

  it('offers connect, write-read and isolation, and they pass on a good instance without leaving anything', async () => {
    expect(driver.checks?.map((c) => c.name)).toEqual(['connect', 'write-read', 'isolation']);
    const name = uniqueName('pv_chk');
    names.push(name);
    const { outputs } = await driver.create(context(target, name));
    for (const check of ['connect', 'write-read', 'isolation']) await run(check, outputs);
    const tables = await adminQuery('SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [name]);
    expect(tables).toEqual([]);
  });

  it('share one tenant connection when run with a check session, which closes it', async () => {
    const name = uniqueName('pv_chk');
    names.push(name);
    const { outputs } = await driver.create(context(target, name));
    const session = createCheckSession();
    const keys: string[] = [];
    let closed = 0;
    const counting: CheckSession = {
      use: (key, open, close) =>
        session.use(key, () => (keys.push(key), open()), async (value) => {
          closed += 1;
          await close(value);
        }),
    };
    const sessionsOf = async () => (await inventory(name)).filter((item) => item.startsWith('session '));
    try {
      for (const check of driver.checks ?? []) {
        await check.run({ target, instance: context(target, name).instance, outputs, signal: new AbortController().signal, session: counting });
      }
      expect(keys).toEqual([`mysql:${name}@${name}`]);
      expect(await sessionsOf()).toHaveLength(1);
    } finally {
      await session.close();
    }
    expect(closed).toBe(1);
    // COM_QUIT is answered before the server thread is gone: give it a moment.
    for (let i = 0; i < 50 && (await sessionsOf()).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await sessionsOf()).toEqual([]);
  });

  it("open a session that keeps no statement cache and compiles no row parser for the login's column names", async () => {
    const name = uniqueName('pv_chk');
    names.push(name);
    const { outputs } = await driver.create(context(target, name));
    const session = createCheckSession();
    const opened: mysql.Connection[] = [];
    const keeping: CheckSession = { use: (key, open, close) => session.use(key, async () => { const connection = await open(); opened.push(connection as mysql.Connection); return connection; }, close) };
    try {
      for (const check of driver.checks ?? []) await check.run({ target, instance: context(target, name).instance, outputs, signal: new AbortController().signal, session: keeping });
      // mysql2 allocates a connection's statement cache whole (16,000 slots by default), and
      // without disableEval compiles and keeps a parser per column list: SHOW GRANTS FOR's is
      // named after the login, so one more per create, in a cache the whole process shares.
      const { config } = (opened[0] as unknown as { connection: { config: { maxPreparedStatements: number; disableEval: boolean } } }).connection;
      expect(opened).toHaveLength(1);
      expect(config.maxPreparedStatements).toBe(1);
      expect(config.disableEval).toBe(true);
    } finally {
      await session.close();
    }
  });

  it('run together on one tenant connection, in one login, and a failure is reported as the first in order', async () => {
    expect(driver.checksTogether).toBe(true);
    const name = uniqueName('pv_chk');
    names.push(name);
    const ctx = context(target, name);
    const { outputs } = await driver.create(ctx);
    // Each login the checks open, counted where the session opens it.
    const opened: string[] = [];
    const counting: Driver = {
      ...driver,
      checks: driver.checks?.map((check) => ({
        ...check,
        run: (input) => {
          const session = input.session;
          return check.run({ ...input, ...(session && { session: { use: (key, open, close) => session.use(key, () => (opened.push(key), open()), close) } }) });
        },
      })),
    };
    await runDriverChecks(counting, { target, instance: ctx.instance, outputs });
    expect(opened).toEqual([`mysql:${name}@${name}`]);
    expect(await adminQuery('SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [name])).toEqual([]);

    // write-read fails, isolation (started with it) would pass: write-read is what is reported.
    await adminQuery(`REVOKE CREATE ON \`${name.replace(/_/g, '\\_')}\`.* FROM '${name}'@'${TENANT_HOST}'`);
    await expect(runDriverChecks(counting, { target, instance: ctx.instance, outputs })).rejects.toThrow(/^mysql check write-read: .*CREATE command denied/);
  });

  it("write-read takes the server's default engine where MEMORY tables are refused, and leaves no table", async () => {
    const name = uniqueName('pv_chk');
    names.push(name);
    const ctx = context(target, name);
    const { outputs } = await driver.create(ctx);
    // A session that may not make MEMORY tables (enforce_storage_engine needs SUPER to set: the
    // admin's session in the tenant's database stands in for a server configured so).
    const refusing = await mysql.createConnection({ uri: ADMIN_URL, database: name, multipleStatements: true });
    await refusing.query("SET SESSION enforce_storage_engine = 'InnoDB', SESSION sql_mode = CONCAT(@@sql_mode, ',NO_ENGINE_SUBSTITUTION')");
    await expect(refusing.query('CREATE TABLE refused (v INT) ENGINE=MEMORY')).rejects.toMatchObject({ errno: 1290 });
    const session: CheckSession = { use: async <T>() => refusing as unknown as T };
    try {
      await driver.checks?.find((check) => check.name === 'write-read')?.run({ target, instance: ctx.instance, outputs, signal: new AbortController().signal, session });
    } finally {
      await refusing.end();
    }
    expect(await adminQuery('SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [name])).toEqual([]);
  });

  it('each fails with one line naming what did not hold, and no secret', async () => {
    const name = uniqueName('pv_chk');
    names.push(name);
    const { outputs } = await driver.create(context(target, name));
    const password = outputs.password ?? '';

    // Privileges taken away behind Paved's back: connecting still works, writing does not.
    await adminQuery(`REVOKE CREATE ON \`${name.replace(/_/g, '\\_')}\`.* FROM '${name}'@'${TENANT_HOST}'`);
    await run('connect', outputs);
    await expect(run('write-read', outputs)).rejects.toThrow(new RegExp(`^mysql check write-read: login "${name}" in database "${name}": CREATE command denied`));

    // A global grant opens every database.
    await adminQuery(`GRANT SELECT ON *.* TO '${name}'@'${TENANT_HOST}'`);
    await expect(run('isolation', outputs)).rejects.toThrow(new RegExp(`^mysql check isolation: login "${name}" can see database "\\w+" besides its own$`));

    // The login dropped behind Paved's back.
    await adminQuery(`DROP USER '${name}'@'${TENANT_HOST}'`);
    for (const check of ['connect', 'write-read', 'isolation']) {
      const error = (await run(check, outputs).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(new RegExp(`^mysql check ${check}: login "${name}" cannot connect to database "${name}" on 127\\.0\\.0\\.1:3306: Access denied`));
      expect(error.message).not.toContain(password);
      expect(error.message).not.toContain('\n');
    }
  });
});
