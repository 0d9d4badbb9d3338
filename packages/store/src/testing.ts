import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, it, onTestFinished } from 'vitest';
import { createStore } from './create-store.js';
import type { Store, StoreOptions } from './types.js';

/** Folders testFolder made for the test file that imports this module. */
const testFolders = new Set<string>();
// Registered when a test file imports this module, before the file's own hooks, so it runs after
// them (vitest runs after-hooks in reverse order).
afterAll(() => {
  for (const folder of testFolders) rmSync(folder, { recursive: true, force: true });
  testFolders.clear();
});

/** A fresh folder under the system's temporary directory, removed when the test file is done. */
export function testFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  testFolders.add(folder);
  return folder;
}

/** What a test may choose about the store it opens (the database is always fresh). */
export type OpenStoreOptions = Omit<StoreOptions, 'url'>;
export type OpenStore = (options?: OpenStoreOptions) => Promise<Store>;

/** The url of each store opened by eachStore, so a test can open a second Store object on it. */
const urls = new WeakMap<Store, { url: string; opened: Store[] }>();

/** The url of a store opened by eachStore (e.g. to poke its database from a test). */
export function databaseUrlOf(store: Store): string {
  const entry = urls.get(store);
  if (!entry) throw new Error('databaseUrlOf() needs a store opened by eachStore()');
  return entry.url;
}

/**
 * Runs SQL on a store's database behind the store's back, as someone with write access to the
 * database alone would (tests that tamper with what the store wrote). Statements run in order.
 */
export async function runSqlBehindStore(store: Store, statements: string[]): Promise<void> {
  const url = databaseUrlOf(store);
  if (store.dialect === 'sqlite') {
    const database = new BetterSqlite3(url, { timeout: 5000 });
    try {
      for (const statement of statements) database.exec(statement);
    } finally {
      database.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Opens another Store object on the same database as `store` (which eachStore opened), as a
 * second process would; it is closed with the block. On SQLite, do not run transactions on two
 * Store objects of one file concurrently in one process: better-sqlite3 waits for the file lock
 * synchronously, blocking the very thread that holds it.
 */
export async function openAnother(store: Store, options: OpenStoreOptions = {}): Promise<Store> {
  const entry = urls.get(store);
  if (!entry) throw new Error('openAnother() needs a store opened by eachStore()');
  const another = await createStore({ ...options, url: entry.url });
  entry.opened.push(another);
  urls.set(another, entry);
  return another;
}

/**
 * Test helpers shared by every package whose tests need a real store: no mocks of what we
 * store (docs/architecture.md#testing). `eachStore` runs a block once on SQLite and once on
 * PostgreSQL.
 */

/** The machine's PostgreSQL (trust auth). PAVED_TEST_POSTGRES_URL overrides it for other setups. */
export const postgresAdminUrl = process.env.PAVED_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TempPostgresDatabase {
  url: string;
  /** Terminates the database's connections and drops it. Safe to call twice. */
  drop(): Promise<void>;
}

/** PostgreSQL's answer when every connection slot is taken (53300, "sorry, too many clients already"). */
const TOO_MANY_CONNECTIONS = '53300';

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  // The fixtures' admin connection waits for a slot (up to ~30 s) when benchmarks or other test
  // runs beside this one have taken them all, instead of failing the file (or, for the check
  // below, calling PostgreSQL unreachable). The stores' own connections are not retried.
  let client: pg.Client;
  for (let attempt = 1; ; attempt++) {
    client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 3000 });
    client.on('error', () => {});
    try {
      await client.connect();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if ((error as { code?: string }).code !== TOO_MANY_CONNECTIONS || attempt >= 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh, uniquely named, empty database on the test PostgreSQL. */
export async function createTempPostgresDatabase(prefix = 'paved_test'): Promise<TempPostgresDatabase> {
  // Only [a-z0-9_]: the name is interpolated into DDL (identifiers cannot be bound parameters).
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(async (client) => {
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

/** Why PostgreSQL cannot be used for tests, or undefined when it can. */
export async function postgresUnavailableReason(): Promise<string | undefined> {
  try {
    await withAdmin((client) => client.query('SELECT 1'));
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${new URL(postgresAdminUrl).host} is not reachable (${(error as Error).message})`;
  }
}

/** PostgreSQL stores opened by eachStore (and openAnother on them), and their databases, closed and dropped together. */
interface Opened {
  stores: Store[];
  databases: TempPostgresDatabase[];
}

async function closeOpened(opened: Opened): Promise<void> {
  await Promise.all(opened.stores.splice(0).map((s) => s.close()));
  await Promise.all(opened.databases.splice(0).map((d) => d.drop()));
}

/**
 * Inside a test (its body or a beforeEach), what it opens is closed when it finishes, after its
 * afterEach hooks; undefined outside one (a beforeAll's store lives until the block ends). Kept
 * to the block's end, every store held its change listener and its pool's connections (idle ones
 * close after 10 s; a test takes less), so a file's add up: crash.test.ts alone held 73 of the
 * machine PostgreSQL's 100 (`show max_connections`), and a second file or a benchmark beside it
 * met "sorry, too many clients already".
 */
function openedForThisTest(): Opened | undefined {
  const opened: Opened = { stores: [], databases: [] };
  try {
    onTestFinished(() => closeOpened(opened));
  } catch {
    return undefined; // "can only be called inside a test"
  }
  return opened;
}

const postgresProblem = await postgresUnavailableReason();
let skipNoticeShown = false;

/**
 * Declares `describe(name)` with one nested describe per dialect, 'sqlite' and 'postgres'.
 * `open()` returns a new, migrated store on a fresh database (a temp file; a new PostgreSQL
 * database); everything opened is closed and removed after the block. When PostgreSQL is
 * unreachable the postgres block fails under CI=true and is otherwise skipped with one line.
 */
export function eachStore(name: string, fn: (open: OpenStore) => void): void {
  describe(name, () => {
    describe('sqlite', () => {
      const stores: Store[] = [];
      const dirs: string[] = [];
      afterAll(async () => {
        await Promise.all(stores.map((s) => s.close()));
        for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      });
      fn(async (options = {}) => {
        const dir = mkdtempSync(join(tmpdir(), 'paved-store-'));
        dirs.push(dir);
        const url = join(dir, 'paved.db');
        const store = await createStore({ ...options, url });
        stores.push(store);
        urls.set(store, { url, opened: stores });
        await store.migrate();
        return store;
      });
    });

    if (postgresProblem !== undefined) {
      if (process.env.CI === 'true') {
        describe('postgres', () => {
          it('needs PostgreSQL', () => {
            throw new Error(`${postgresProblem}; CI=true requires it.`);
          });
        });
        return;
      }
      if (!skipNoticeShown) {
        skipNoticeShown = true;
        console.warn(`Skipping PostgreSQL store tests: ${postgresProblem}.`);
      }
      describe.skip(`postgres (skipped: ${postgresProblem})`, () => fn(() => Promise.reject(new Error(postgresProblem))));
      return;
    }

    describe('postgres', () => {
      const block: Opened = { stores: [], databases: [] };
      afterAll(() => closeOpened(block));
      fn(async (options = {}) => {
        const opened = openedForThisTest() ?? block;
        const database = await createTempPostgresDatabase();
        opened.databases.push(database);
        const store = await createStore({ ...options, url: database.url });
        opened.stores.push(store);
        urls.set(store, { url: database.url, opened: opened.stores });
        await store.migrate();
        return store;
      });
    });
  });
}
