/**
 * Helpers shared by this driver's test files (excluded from the build). Everything talks to the
 * machine's real MariaDB: admin checks use their own short-lived connection, never the driver's pool.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { expect } from 'vitest';
import { isCredentialName, silentLogger, type DriverContext, type RotationContext, type Target } from '@paved/driver-api';
import type { DriverConformanceOptions } from '@paved/driver-api/conformance';
import { createMysqlDriver, grantPattern, tenantAuthPlugins } from './index.js';

export const ADMIN_URL = 'mysql://root:@127.0.0.1:3306/';
const ADMIN = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

/** Why MariaDB cannot be used (one line), or undefined when it answers. */
export async function unreachable(): Promise<string | undefined> {
  try {
    await adminQuery('SELECT 1');
    return undefined;
  } catch (error) {
    return `MariaDB at 127.0.0.1:3306 is not reachable as root (${(error as Error).message})`;
  }
}

/** The reason to skip (outside CI) or undefined; logs one line when skipping. */
export async function skipReason(what: string): Promise<string | undefined> {
  const reason = await unreachable();
  if (reason !== undefined && process.env.CI !== 'true') console.warn(`skipping ${what}: ${reason}`);
  return reason;
}

/** Runs one statement as root on a fresh connection (execute: parameters out of band). */
export async function adminQuery(sql: string, params: (string | number)[] = []): Promise<RowDataPacket[]> {
  const connection = await mysql.createConnection({ ...ADMIN, connectTimeout: 3_000 });
  try {
    const [rows] = params.length > 0 ? await connection.execute<RowDataPacket[]>(sql, params) : await connection.query<RowDataPacket[]>(sql);
    return rows;
  } finally {
    await connection.end().catch(() => {});
  }
}

/** Opens a session with the issued outputs (or overrides). Throws if refused. Caller ends it. */
export async function tenantSession(outputs: Record<string, string>, override: { user?: string; password?: string; database?: string } = {}): Promise<mysql.Connection> {
  const session = await mysql.createConnection({
    host: outputs.host,
    port: Number(outputs.port),
    user: override.user ?? outputs.username,
    password: override.password ?? outputs.password,
    database: override.database ?? outputs.database,
    connectTimeout: 5_000,
    authPlugins: tenantAuthPlugins(),
  });
  // A killed session emits 'error'; without a listener the test process would crash.
  session.on('error', () => {});
  return session;
}

/** Opens a session, runs `work`, closes it. */
export async function withTenant<T>(outputs: Record<string, string>, override: { user?: string; password?: string; database?: string }, work: (s: mysql.Connection) => Promise<T>): Promise<T> {
  const session = await tenantSession(outputs, override);
  try {
    return await work(session);
  } finally {
    await session.end().catch(() => session.destroy());
  }
}

/** The account tests log in through: they connect over TCP to 127.0.0.1 (the server skips name resolution). */
export const TENANT_HOST = '127.0.0.1';
/** A second pattern no test connects from: every login has an account there too, which rotation and deletion must handle. */
export const OTHER_HOST = '10.255.255.%';

export function mysqlTarget(name = 'machine', url = ADMIN_URL, config: Record<string, unknown> = {}): Target {
  return { name, driver: 'mysql', labels: {}, config: { url, clientHosts: [TENANT_HOST, OTHER_HOST], ...config } };
}

export function uniqueName(prefix = 'pv_my'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export function newPassword(): string {
  return randomBytes(24).toString('hex');
}

export function context(target: Target, externalName: string, options: { values?: Record<string, unknown>; rotation?: number; password?: string } = {}): DriverContext {
  return {
    instance: { id: externalName, team: 'team-a', name: 'db', externalName, product: 'mysql', plan: 'small', values: options.values ?? {}, rotation: options.rotation ?? 0 },
    target,
    secrets: { password: options.password ?? newPassword() },
    signal: new AbortController().signal,
    logger: silentLogger,
  };
}

export function rotationContext(ctx: DriverContext, rotation: number, previous: { rotation: number; password: string }): RotationContext {
  return {
    ...ctx,
    instance: { ...ctx.instance, rotation },
    secrets: { password: newPassword() },
    previousSecrets: { password: previous.password },
    previousRotation: previous.rotation,
  };
}

/**
 * Everything on the server that belongs to `externalName`: database, logins, leftover grants,
 * and (unless `sessions` is false) sessions. A session a client just ended may still be listed
 * for a moment, so comparisons of what exists before and after a step leave sessions out.
 */
export async function inventory(externalName: string, options: { sessions?: boolean } = {}): Promise<string[]> {
  const items: string[] = [];
  for (const row of await adminQuery('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [externalName])) items.push(`database ${String(row.name)}`);
  for (const row of await adminQuery('SELECT User AS user, Host AS host FROM mysql.user WHERE LEFT(User, ?) = ?', [externalName.length, externalName])) {
    if (isCredentialName(externalName, String(row.user))) items.push(`user ${String(row.user)}@${String(row.host)}`);
  }
  for (const row of await adminQuery('SELECT User AS user, Host AS host FROM mysql.db WHERE Db = ?', [grantPattern(externalName)])) items.push(`grant to ${String(row.user)}@${String(row.host)}`);
  if (options.sessions === false) return items;
  for (const row of await adminQuery('SELECT ID AS id, USER AS user FROM information_schema.PROCESSLIST WHERE LEFT(USER, ?) = ?', [externalName.length, externalName])) {
    if (isCredentialName(externalName, String(row.user))) items.push(`session ${String(row.id)} of ${String(row.user)}`);
  }
  return items;
}

/** Conformance options for the machine's MariaDB. */
export function mysqlConformance(name: string, extra: Partial<DriverConformanceOptions> = {}): DriverConformanceOptions {
  return {
    name,
    createDriver: () => createMysqlDriver(),
    target: () => mysqlTarget(),
    outputs: ['host', 'port', 'database', 'name', 'username', 'password', 'url'],
    values: { connectionLimit: 20 },
    update: { values: { connectionLimit: 5 } },
    // A lasting write and read through the issued URL, as an application would.
    useCredentials: async (outputs) => {
      const session = await mysql.createConnection({ uri: outputs.url, connectTimeout: 5_000, authPlugins: tenantAuthPlugins() });
      session.on('error', () => {});
      try {
        await session.query('CREATE TABLE IF NOT EXISTS notes (body TEXT)');
        await session.query("INSERT INTO notes VALUES ('hello')");
        const [rows] = await session.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM notes');
        expect(Number(rows[0]?.n)).toBeGreaterThan(0);
      } finally {
        await session.end().catch(() => session.destroy());
      }
    },
    // Team B's own login, aimed at team A's database: refused (ER_DBACCESS_DENIED_ERROR).
    crossAccess: async (victim, intruder) => {
      await withTenant(intruder, { database: victim.database }, (session) => session.query('SELECT 1'));
    },
    inventory: (externalName) => inventory(externalName, { sessions: false }),
    assertGone: async (externalName) => {
      const left = await inventory(externalName);
      if (left.length > 0) throw new Error(`${externalName} is still on the server: ${left.join(', ')}`);
    },
    ...extra,
  };
}
