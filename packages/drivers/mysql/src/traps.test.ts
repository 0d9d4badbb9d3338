/**
 * The two MariaDB traps of docs/drivers/mysql.md that leak across tenants, each shown to be
 * real on this server and then shown closed by the driver. Reopening either (an unescaped GRANT
 * pattern, a deletion that skips KILL CONNECTION) makes a test here fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Driver } from '@paved/driver-api';
import { createMysqlDriver, checkIsolation } from './index.js';
import { TENANT_HOST, adminQuery, context, inventory, mysqlTarget, skipReason, tenantSession, uniqueName, withTenant } from './test-support.js';

const skip = await skipReason('mysql trap tests');
const skipHere = skip !== undefined && process.env.CI !== 'true';

describe.skipIf(skipHere)('mysql traps', () => {
  const target = mysqlTarget();
  let driver: Driver;
  const names: string[] = [];
  const victims: string[] = [];

  beforeAll(() => {
    driver = createMysqlDriver();
  });
  afterAll(async () => {
    for (const name of names) for (const step of driver.deletion) await step.run(context(target, name)).catch(() => {});
    for (const victim of victims) await adminQuery(`DROP DATABASE IF EXISTS \`${victim}\``).catch(() => {});
    await driver.close?.();
  });

  it('a tenant whose database name holds `_` cannot reach a sibling that the unescaped pattern would match', async () => {
    const name = uniqueName('pv_trap');
    names.push(name);
    // `_` matches any one character in a GRANT pattern, so pv_trap_<hex> would also match pvXtrapX<hex>.
    const victim = name.replace(/_/g, 'x');
    victims.push(victim);
    await adminQuery(`CREATE DATABASE \`${victim}\``);
    await adminQuery(`CREATE TABLE \`${victim}\`.secret (v VARCHAR(32))`);
    await adminQuery(`INSERT INTO \`${victim}\`.secret VALUES ('victim-data')`);

    const ctx = context(target, name);
    const { outputs } = await driver.create(ctx);
    const readVictim = () => withTenant(outputs, {}, (session) => session.query(`SELECT v FROM \`${victim}\`.secret`));
    await expect(readVictim()).rejects.toMatchObject({ errno: 1142 });
    await expect(withTenant(outputs, { database: victim }, (s) => s.query('SELECT 1'))).rejects.toMatchObject({ errno: 1044 });
    await checkIsolation(outputs);

    // The trap is real: the same GRANT with the pattern unescaped opens the victim...
    await adminQuery(`GRANT ALL PRIVILEGES ON \`${name}\`.* TO '${name}'@'${TENANT_HOST}'`);
    const [leaked] = (await readVictim()) as unknown as [{ v: string }[]];
    expect(leaked[0]?.v).toBe('victim-data');
    // ...the isolation check names it, observe reports it, and update closes it again.
    await expect(checkIsolation(outputs)).rejects.toThrow(`mysql check isolation: login "${name}" can see database "${victim}" besides its own`);
    expect((await driver.observe(ctx)).diff).toEqual([`user "${name}"@"${TENANT_HOST}" holds privileges on database pattern "${name}"`]);
    await driver.update(ctx);
    await expect(readVictim()).rejects.toMatchObject({ errno: 1142 });
    await checkIsolation(outputs);
    expect((await driver.observe(ctx)).upToDate).toBe(true);
  });

  it('deletion ends sessions that were open before: DROP USER alone leaves them working', async () => {
    const name = uniqueName('pv_live');
    names.push(name);
    const { outputs } = await driver.create(context(target, name));
    const session = await tenantSession(outputs);
    try {
      await session.query('CREATE TABLE t (v INT)');
      const [dropLogins, terminateSessions, dropDatabase] = driver.deletion;
      expect([dropLogins?.name, terminateSessions?.name, dropDatabase?.name]).toEqual(['drop-logins', 'terminate-sessions', 'drop-database']);
      await dropLogins!.run(context(target, name));
      // The trap is real: the login is gone, the session still writes.
      await session.query('INSERT INTO t VALUES (1)');
      await expect(tenantSession(outputs)).rejects.toThrow(/^Access denied for user/);
      await terminateSessions!.run(context(target, name));
      await expect(session.query('INSERT INTO t VALUES (2)')).rejects.toThrow();
      await dropDatabase!.run(context(target, name));
      expect(await inventory(name)).toEqual([]);
    } finally {
      session.destroy();
    }
  });

  it('a full deletion cuts a live session even when it is run in one go', async () => {
    const name = uniqueName('pv_live');
    names.push(name);
    const { outputs } = await driver.create(context(target, name));
    const session = await tenantSession(outputs);
    try {
      await session.query('SELECT 1');
      for (const step of driver.deletion) await step.run(context(target, name));
      await expect(session.query('SELECT 1')).rejects.toThrow();
      expect(await inventory(name)).toEqual([]);
    } finally {
      session.destroy();
    }
  });
});
