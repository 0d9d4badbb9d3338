/**
 * Which hosts a tenant's login may connect from, and how it authenticates, on the machine's
 * MariaDB (which resolves no names: a TCP client from 127.0.0.1 is matched by '127.0.0.1').
 */
import { afterAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { runDriverChecks } from '@paved/driver-api/conformance';
import { DriverError } from '@paved/model';
import { createMysqlDriver, nativePasswordHash } from './index.js';
import { ADMIN_URL, TENANT_HOST, adminQuery, context, mysqlTarget, skipReason, uniqueName, withTenant } from './test-support.js';
import { checkIsolation } from './checks.js';
import { readTargetConfig } from './target-config.js';
import { wantedResource } from './spec.js';

const skip = await skipReason('mysql account tests');
const skipHere = skip !== undefined && process.env.CI !== 'true';

describe.skipIf(skipHere)('mysql accounts: listed hosts only, ed25519', () => {
  const driver = createMysqlDriver();
  const created: ReturnType<typeof context>[] = [];
  const create = async (config: Record<string, unknown>) => {
    const ctx = context(mysqlTarget('hosts', ADMIN_URL, config), uniqueName('pv_acc'));
    created.push(ctx);
    return { ctx, outputs: (await driver.create(ctx)).outputs };
  };
  const accounts = async (name: string) =>
    (await adminQuery('SELECT Host AS host, plugin FROM mysql.user WHERE User = ? ORDER BY Host', [name])).map((row) => `${String(row.host)} ${String(row.plugin)}`);
  afterAll(async () => {
    for (const ctx of created) for (const step of driver.deletion) await step.run(ctx).catch(() => {});
    await driver.close?.();
  });

  it('without clientHosts, a login may connect from the server\'s own host only, through ed25519; preflight says so', async () => {
    const target = { ...mysqlTarget(), config: { url: ADMIN_URL } };
    const preflight = await driver.preflight(target);
    expect(preflight.ok).toBe(true);
    expect(preflight.warnings).toEqual([expect.stringMatching(/^config\.clientHosts is not set, so tenants may connect from this server's own host only \(localhost, 127\.0\.0\.1, ::1\)/)]);
    const ctx = context(target, uniqueName('pv_acc'));
    created.push(ctx);
    const { outputs } = await driver.create(ctx);
    expect(await accounts(outputs.username!)).toEqual(['127.0.0.1 ed25519', '::1 ed25519', 'localhost ed25519']);
    await runDriverChecks(driver, { target, instance: ctx.instance, outputs });
    // An application's mysql2 without an ed25519 client plugin cannot log in: products/mysql.md says what to add.
    await expect(mysql.createConnection({ uri: outputs.url })).rejects.toThrow(/unknown plugin client_ed25519/);
  });

  it('a create retried over some of its accounts (one missing, one with another password and limit) converges them all in its one CREATE USER', async () => {
    const hosts = [TENANT_HOST, 'localhost', '::1'];
    const { ctx, outputs } = await create({ clientHosts: hosts });
    const login = outputs.username!;
    await adminQuery(`DROP USER '${login}'@'localhost'`);
    await adminQuery(`ALTER USER '${login}'@'${TENANT_HOST}' IDENTIFIED BY 'someone-elses' WITH MAX_USER_CONNECTIONS 3`);
    await expect(withTenant(outputs, {}, (s) => s.query('SELECT 1'))).rejects.toMatchObject({ errno: 1045 });
    expect((await driver.create(ctx)).outputs).toEqual(outputs);
    expect(await accounts(login)).toEqual(['127.0.0.1 ed25519', '::1 ed25519', 'localhost ed25519']);
    const limits = await adminQuery('SELECT DISTINCT max_user_connections AS n FROM mysql.user WHERE User = ?', [login]);
    expect(limits.map((row) => Number(row.n))).toEqual([20]);
    const grants = await adminQuery('SELECT COUNT(*) AS n FROM mysql.db WHERE User = ?', [login]);
    expect(Number(grants[0]?.n)).toBe(3);
    await runDriverChecks(driver, { target: ctx.target, instance: ctx.instance, outputs });
  });

  it('a create over a login made behind its back (an account on another host, a listed one holding a stray grant) takes both back', async () => {
    const target = mysqlTarget('hosts', ADMIN_URL, { clientHosts: [TENANT_HOST] });
    const ctx = context(target, uniqueName('pv_acc'));
    created.push(ctx);
    const login = wantedResource(ctx).username;
    await adminQuery(`CREATE USER '${login}'@'10.9.9.9' IDENTIFIED BY 'someone-elses'`);
    await adminQuery(`GRANT SELECT ON *.* TO '${login}'@'10.9.9.9'`);
    const { outputs } = await driver.create(ctx);
    expect(outputs.username).toBe(login);
    // Nothing of the login was on a listed host: CREATE USER did not warn, and the other host's account is gone all the same.
    expect(await accounts(login)).toEqual([`${TENANT_HOST} ed25519`]);

    const again = context(target, uniqueName('pv_acc'));
    created.push(again);
    const second = wantedResource(again).username;
    await adminQuery(`CREATE USER '${second}'@'${TENANT_HOST}' IDENTIFIED BY 'someone-elses'`);
    await adminQuery(`GRANT SELECT ON *.* TO '${second}'@'${TENANT_HOST}'`);
    const made = await driver.create(again);
    expect(made.outputs.username).toBe(second);
    // The account was there: CREATE USER warned, so the create read its privileges and took the global one back.
    expect(await adminQuery('SELECT 1 FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ? AND PRIVILEGE_TYPE <> ?', [`'${second}'@'${TENANT_HOST}'`, 'USAGE'])).toEqual([]);
    await runDriverChecks(driver, { target, instance: again.instance, outputs: made.outputs });
  });

  it('refuses a login from a host the target does not list, and follows a changed list', async () => {
    const { ctx, outputs } = await create({ clientHosts: ['10.9.9.9'] });
    // 1045 or 1698: for an account it has not, MariaDB fakes an authentication with a plugin of its choosing.
    await expect(withTenant(outputs, {}, (s) => s.query('SELECT 1'))).rejects.toMatchObject({ errno: expect.toSatisfy((errno: number) => errno === 1045 || errno === 1698), message: expect.stringMatching(/^Access denied for user/) });
    const moved = { ...ctx, target: mysqlTarget('hosts', ADMIN_URL, { clientHosts: [TENANT_HOST] }) };
    expect((await driver.observe(moved)).diff).toEqual([
      `user "${outputs.username}"@"${TENANT_HOST}" is missing`,
      `user "${outputs.username}" may connect from "10.9.9.9", which the target does not list in clientHosts`,
    ]);
    await driver.update(moved);
    expect(await accounts(outputs.username!)).toEqual([`${TENANT_HOST} ed25519`]);
    await withTenant(outputs, {}, (s) => s.query('SELECT 1'));
  });

  it('the isolation check refuses an account weaker than the server allows, or on a host the target does not list', async () => {
    const { ctx, outputs } = await create({ clientHosts: [TENANT_HOST] });
    const config = readTargetConfig(ctx.target);
    await checkIsolation(outputs, undefined, undefined, config);
    await adminQuery(`ALTER USER '${outputs.username}'@'${TENANT_HOST}' IDENTIFIED BY PASSWORD '${nativePasswordHash(outputs.password!)}'`);
    await expect(checkIsolation(outputs, undefined, undefined, config)).rejects.toThrow(`mysql check isolation: login "${outputs.username}" authenticates with a weaker plugin than ed25519, which the server has`);
    await expect(checkIsolation(outputs, undefined, undefined, { ...config, clientHosts: ['10.9.9.9'] })).rejects.toThrow(
      `mysql check isolation: login "${outputs.username}" got in through account "${outputs.username}@${TENANT_HOST}", whose host is not in the target's clientHosts`,
    );
  });

  it('a target may choose mysql_native_password for clients without ed25519', async () => {
    const { ctx, outputs } = await create({ clientHosts: [TENANT_HOST], authPlugin: 'mysql_native_password' });
    expect(await accounts(outputs.username!)).toEqual([`${TENANT_HOST} mysql_native_password`]);
    expect(await driver.preflight(ctx.target)).toMatchObject({ ok: true, problems: [] });
    await runDriverChecks(driver, { target: ctx.target, instance: ctx.instance, outputs });
    const session = await mysql.createConnection({ uri: outputs.url });
    await session.end();
  });

  it('rejects host patterns that are not MariaDB\'s and unknown plugins, naming the field', async () => {
    for (const [config, path] of [
      [{ clientHosts: [] }, 'config.clientHosts'],
      [{ clientHosts: ["10.0.0.1' OR 1"] }, 'config.clientHosts'],
      [{ clientHosts: ['10.0.0.1', '10.0.0.1'] }, 'config.clientHosts'],
      [{ clientHosts: '%' }, 'config.clientHosts'],
      [{ authPlugin: 'caching_sha2_password' }, 'config.authPlugin'],
    ] as const) {
      const error = await driver.observe(context(mysqlTarget('bad', ADMIN_URL, config), uniqueName('pv_acc'))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DriverError);
      expect((error as DriverError).issues[0]?.path).toBe(path);
    }
  });
});
