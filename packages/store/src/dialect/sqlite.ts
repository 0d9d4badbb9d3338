import BetterSqlite3 from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { CompiledQuery, Kysely, SqliteDialect, sql } from '#kysely';
import type { Database } from '../schema.js';
import { groupCommit } from '../group-commit.js';
import { runDirectly, withdrawDirect, type DirectRunner } from '../compiled.js';
import type { DialectAdapter } from './adapter.js';
import { numberExisting } from './number-existing.js';
import { watchWalIndexHeader, type WalIndexHeader } from './wal-index-header.js';

const BEGIN = CompiledQuery.raw('begin immediate');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');
/** The page cache's bound, negative: in KiB (SQLite's `PRAGMA cache_size`). */
const SQLITE_CACHE_KIB = -2000;

/** better-sqlite3's error codes for constraint failures (extended result codes). */
const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/**
 * SQLite through better-sqlite3: one connection per store, which Kysely guards with a mutex,
 * so a transaction in this process excludes every other query of this store while it runs.
 * Across processes, BEGIN IMMEDIATE takes the write lock up front and busy_timeout makes the
 * other process wait for it instead of failing.
 *
 * Caveat: better-sqlite3 is synchronous, so a busy wait blocks the whole thread. Two Store
 * objects on the same file in one process can therefore stall each other; open one per process.
 */
export function createSqliteAdapter(path: string): DialectAdapter {
  if (path !== ':memory:') ownerOnlyFiles(path);
  const database = new BetterSqlite3(path, { timeout: 5000 });
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  // WAL makes NORMAL durable against application crashes; only an OS crash can lose the last commits.
  database.pragma('synchronous = NORMAL');
  // SQLite's own default page cache (2 MB) instead of better-sqlite3's 16 MB: the cache fills
  // up to the database's size and glibc keeps its pages resident afterwards, so a `paved up`
  // holding 10,000 instances (a 16 MB file) kept ~14 MiB more for good; the pages it misses come
  // from the kernel's file cache (bench/README.md §9, round 3).
  database.pragma(`cache_size = ${SQLITE_CACHE_KIB}`);
  // Statements of this connection that may change something, counted before they run: with
  // total_changes() (rows this connection changed) and data_version (moved by other
  // connections' commits), the change counter. total_changes() alone misses a `delete from t`
  // without a where (SQLite's truncate optimisation is not counted).
  let writes = 0;
  const statements = withStatementCache(database, undefined, () => { writes++; });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  // A transaction's compiled statements skip Kysely's executor (compiled.ts): the same prepared
  // statements (and write count), run where Kysely's SQLite connection would run them.
  const direct: DirectRunner = {
    rows(source, parameters) {
      const statement = statements.prepare(source) as unknown as RowStatement | BetterSqlite3.Statement;
      if (statement.reader) return statement.all(parameters);
      statement.run(parameters);
      return [];
    },
    changes(source, parameters) {
      return (statements.prepare(source) as unknown as BetterSqlite3.Statement).run(parameters).changes;
    },
  };
  // Read on every API request. Separate statements rather than `select total_changes(),
  // data_version from pragma_data_version`: the pragma itself is a third cheaper than the
  // table-valued function (2.1 against 3.1 µs, its read lock most of it), and total_changes()
  // takes no lock (0.2 µs).
  const dataVersion = database.prepare('pragma data_version');
  dataVersion.raw(true);
  const totalChanges = database.prepare('select total_changes()');
  totalChanges.raw(true);
  // Other connections' commits: from the WAL-index header where there is one (a file in WAL
  // mode), read without the WAL read lock data_version's read transaction takes (the counter
  // 1.1 against 2.7 µs; the pragma was 9 % of the server's time under get-one load;
  // wal-index-header.ts); data_version otherwise.
  const otherCommits = walIndexHeaderOf(database, path, dataVersion);
  let closed = false;

  // db.connection() holds the single connection (and Kysely's mutex) for the whole callback.
  const exclusive = <T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> => db.connection().execute(async (conn) => {
    await conn.executeQuery(BEGIN);
    runDirectly(conn, direct);
    try {
      const result = await fn(conn);
      await conn.executeQuery(COMMIT);
      return result;
    } catch (error) {
      if (database.inTransaction) await conn.executeQuery(ROLLBACK);
      throw error;
    } finally {
      withdrawDirect(conn);
    }
  });
  // One writer, so transactions of this process run one after another anyway: those that arrive
  // together share one BEGIN…COMMIT, each in a savepoint (group-commit.ts). A commit writes every
  // page the transaction touched to the WAL (and now and then checkpoints), which cost more than
  // the engine's and createInstance's statements themselves; a shared commit writes a shared page once.
  // A write (adapter.write) touches only the database, so it may run again after a failure: the
  // writes of a batch share one savepoint instead of one each (two statements a write, eight a
  // pass of the engine); a transaction's caller may keep what it saw, so each keeps its own.
  interface Work {
    fn: (trx: Kysely<Database>) => Promise<unknown>;
    rerunnable: boolean;
  }
  const shared = groupCommit<Work, unknown>({
    transaction: exclusive, apply: (trx, work) => work.fn(trx), savepointsAfterFailure: (work) => work.rerunnable,
  });

  return {
    dialect: 'sqlite',
    db,
    transaction: <T>(fn: (trx: Kysely<Database>) => Promise<T>) => shared({ fn, rerunnable: false }) as Promise<T>,
    write: <T>(fn: (trx: Kysely<Database>) => Promise<T>) => shared({ fn, rerunnable: true }) as Promise<T>,
    forUpdate: (query) => query,
    forShare: (query) => query,
    changeCounter: () => {
      if (closed || database.inTransaction) return undefined;
      const [changed] = totalChanges.get() as [number];
      const version = otherCommits === undefined ? (dataVersion.get() as [number])[0] : otherCommits.generation();
      return `${writes}/${changed}/${version}`;
    },
    changeCounterIsImmediate: true,
    ownWrites: () => writes,
    jsonField: (column, field) => sql<string | null>`json_extract(${sql.ref(column)}, ${sql.lit(`$.${field}`)})`,
    skipLocked: (query) => query,
    addSerialPrimaryKey: (table, column) => table.addColumn(column, 'integer', (col) => col.primaryKey().autoIncrement()),
    async addInsertionOrder(target, table, column, existingOrder) {
      await target.schema.alterTable(table).addColumn(column, 'integer').execute();
      await numberExisting(target, table, column, existingOrder);
      await target.schema.createIndex(`${table}_${column}`).unique().on(table).column(column).execute();
      const [t, c] = [sql.table(table), sql.ref(column)];
      await sql`create trigger ${sql.id(`${table}_${column}`)} after insert on ${t} when new.${c} is null begin
        update ${t} set ${c} = (select coalesce(max(${c}), 0) + 1 from ${t}) where rowid = new.rowid; end`.execute(target);
    },
    async nextInsertionOrder(trx, table, column) {
      // Inside BEGIN IMMEDIATE: no other writer can take a number before this transaction commits.
      const row = await trx.selectFrom(table).select((eb) => eb.fn.max(column).as('last')).executeTakeFirst();
      return Number(row?.last ?? 0) + 1;
    },
    // Kysely's migrator runs inside a transaction and SQLite has one writer at a time.
    withMigrationLock: (fn) => fn(),
    isUniqueViolation: (error) => UNIQUE_CODES.has(codeOf(error)),
    isForeignKeyViolation: (error) => codeOf(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY',
    announce: async () => {},
    announceAll: async () => {},
    listen: async () => {},
    async snapshot(path) {
      await database.backup(path);
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.destroy();
      } finally {
        // Only now: closing the -shm descriptor earlier would drop the connection's locks on it.
        otherCommits?.close();
      }
    },
  };
}

/**
 * The store holds password hashes, token hashes and encrypted secrets: it is for the owner only,
 * whatever the folder's mode or the umask. SQLite creates a file 0644 (less the umask) and
 * gives its -wal and -shm files the mode of the database file, so creating the database file
 * 0600 before SQLite opens it is enough for new stores; files left by an older version are
 * tightened here.
 */
function ownerOnlyFiles(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

/** The WAL-index header of a file database in WAL mode, watched; undefined for any other (then data_version). */
function walIndexHeaderOf(database: BetterSqlite3.Database, path: string, dataVersion: BetterSqlite3.Statement): WalIndexHeader | undefined {
  if (path === ':memory:' || path === '' || database.pragma('journal_mode', { simple: true }) !== 'wal') return undefined;
  // A first read makes this connection open the -shm file: it exists, its header initialised.
  dataVersion.get();
  return watchWalIndexHeader(`${path}-shm`);
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : '';
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing was an eighth of the engine's
 * CPU time in a profile of the request → Ready path. The store's queries come from a fixed set
 * of builders, so their SQL text repeats: keep the prepared statements, by SQL text, in a
 * bounded map (oldest dropped first). Safe because one connection runs one query at a time
 * (Kysely's mutex) and the store never streams a statement while running another. A statement
 * that changes the schema empties the map: a kept `select *` would answer other columns.
 */
export function withStatementCache(
  database: BetterSqlite3.Database, limit = 500, onWrite?: () => void,
): { prepare: BetterSqlite3.Database['prepare']; close(): void } {
  const statements = new Map<string, RowStatement | BetterSqlite3.Statement>();
  return {
    prepare(source: string) {
      // Kysely prepares every statement right before running it: anything but a select may write.
      if (onWrite !== undefined && !SELECT.test(source)) onWrite();
      let statement = statements.get(source);
      if (statement === undefined) {
        if (SCHEMA_CHANGE.test(source)) statements.clear();
        const prepared = database.prepare(source);
        statement = prepared.reader ? rowsMadeInJs(prepared) : prepared;
        if (statements.size >= limit) statements.delete(statements.keys().next().value!);
        statements.set(source, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  } as unknown as { prepare: BetterSqlite3.Database['prepare']; close(): void };
}

const SCHEMA_CHANGE = /^\s*(create|alter|drop)\b/i;
const SELECT = /^\s*select\b/i;

/** What Kysely's SQLite driver uses of a statement that returns rows. */
interface RowStatement {
  reader: true;
  all(parameters: readonly unknown[]): Record<string, unknown>[];
  iterate(parameters: readonly unknown[]): IterableIterator<Record<string, unknown>>;
}

/**
 * A statement that returns rows, its rows made in JavaScript from better-sqlite3's arrays by a
 * function made for its columns: better-sqlite3 builds each row object property by property in
 * C++, which cost about as much again as the query (a page of 50 instances, 33 columns: twice
 * as fast this way, bench/README.md §2). The same objects: a name that comes twice keeps the last
 * value, as better-sqlite3's do. Rebuilt if the columns change under it (another process's
 * migration): SQLite prepares the statement again, and its rows are checked against its width.
 */
function rowsMadeInJs(statement: BetterSqlite3.Statement): RowStatement | BetterSqlite3.Statement {
  let width = -1;
  let make: (row: unknown[]) => Record<string, unknown> = () => ({});
  const shape = () => {
    const names = statement.columns().map((column) => column.name);
    width = names.length;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a literal of the statement's own column names, quoted by JSON.stringify
    make = new Function('row', `return {${names.map((name, i) => `${JSON.stringify(name)}: row[${i}]`).join(', ')}};`) as typeof make;
  };
  if (statement.columns().some((column) => column.name === '__proto__')) return statement;
  statement.raw(true);
  const toObject = (row: unknown[]) => {
    if (row.length !== width) shape();
    return make(row);
  };
  const rows: RowStatement = {
    reader: true,
    all: (parameters) => (statement.all(parameters) as unknown[][]).map(toObject),
    *iterate(parameters) {
      for (const row of statement.iterate(parameters) as IterableIterator<unknown[]>) yield toObject(row);
    },
  };
  return rows;
}
