import type { CreateTableBuilder, Kysely, RawBuilder, SelectQueryBuilder } from '#kysely';
import type { Dialect, WriteOptions } from '../types.js';
import type { Database } from '../schema.js';

export interface InstanceChange {
  instanceId: string;
  teamId: string;
}

/**
 * Everything that differs between SQLite and PostgreSQL, behind one contract
 * (docs/architecture.md#the-store). Business code (src/repos) never asks which dialect it runs
 * on; it calls these hooks, which are no-ops where a dialect needs nothing.
 */
export interface DialectAdapter {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;

  /**
   * Runs `fn` in a write transaction. On SQLite this is BEGIN IMMEDIATE, so the write lock is
   * taken up front and two processes can never interleave a read-then-write; on PostgreSQL a
   * plain READ COMMITTED transaction whose row locks come from `forUpdate` / `skipLocked`.
   */
  transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;

  /**
   * Runs `fn` in a transaction it may share with other writes arriving together, each in a
   * savepoint (one that fails is undone alone) and each answered after the shared commit: one
   * WAL flush, and on PostgreSQL one hold of the notify lock, for many. For writes that lock
   * only rows their caller owns (the engine's, guarded by its lease), so that a shared
   * transaction cannot deadlock with another process's. On SQLite every transaction is shared.
   * The savepoints are taken only when a batch's writes run again after a failure (on SQLite
   * they share one savepoint until then), so `fn` must touch nothing but the database through
   * `trx` (it may run twice). On PostgreSQL the writes of a batch run at once, their statements
   * pipelined on one connection (postgres-pipeline.ts), so `fn` must not rely on another write's
   * effects either (the engine's writes lock only the rows their own lease holds).
   */
  write<T>(fn: (trx: Kysely<Database>) => Promise<T>, options?: WriteOptions): Promise<T>;

  /**
   * A write of one statement, which commits by itself, run at once (PostgreSQL): undefined, and
   * `fn` not run, while writes are queued or in their shared transactions, so that under load
   * they still share commits (`write`); then the caller writes through `write`. When no other
   * write is under way, it saves the shared transaction's BEGIN…COMMIT (a round trip, and the
   * batch's turn of the event loop): the engine's last write of a pass, a Ready with its event in
   * one statement (repos/status-with-outcome.ts). `fn` must issue at most one statement.
   */
  writeAlone?<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> | undefined;

  /**
   * Runs `fn`'s reads on one connection, each statement sent without waiting for the answer to
   * the one before (PostgreSQL's pipeline mode): reads that do not need each other's answers,
   * issued together, cost one round trip and one wake-up of one backend instead of one each.
   * Outside a transaction, so each read has its own READ COMMITTED snapshot, taken in the order
   * issued. `fn` must settle every statement it issues before it ends. Absent (SQLite, whose
   * reads do not wait): `fn(db)`.
   */
  readTogether?<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;

  /** Locks the selected rows until the transaction ends (PostgreSQL); SQLite's write lock already covers them. */
  forUpdate<TB extends keyof Database, O>(query: SelectQueryBuilder<Database, TB, O>): SelectQueryBuilder<Database, TB, O>;
  /** Locks the selected rows against writers but not against each other (PostgreSQL's FOR SHARE); nothing on SQLite. */
  forShare<TB extends keyof Database, O>(query: SelectQueryBuilder<Database, TB, O>): SelectQueryBuilder<Database, TB, O>;
  /** Locks the selected rows and skips rows another transaction holds (PostgreSQL's work-queue idiom). */
  skipLocked<TB extends keyof Database, O>(query: SelectQueryBuilder<Database, TB, O>): SelectQueryBuilder<Database, TB, O>;

  /**
   * A top-level field of a JSON object kept in a text column (`instances.status`), as text:
   * SQLite's json_extract, PostgreSQL's `->>` on the text cast to json. `field` is SQL: a literal, never a value.
   */
  jsonField(column: string, field: string): RawBuilder<string | null>;

  /**
   * A value that differs after any change to the database, by this connection or any other,
   * taken after the call (unchanged-reads.ts); undefined when it cannot be known now. SQLite:
   * read without waiting, none while a transaction of this connection is in progress.
   * PostgreSQL: the current snapshot, one small round trip shared by the callers who ask while
   * one is out (dialect/postgres-snapshots.ts).
   */
  changeCounter(): string | undefined | Promise<string | undefined>;
  /** Whether changeCounter answers without a promise (SQLite): then a kept read can be answered at once (UnchangedReads.kept). */
  readonly changeCounterIsImmediate: boolean;
  /**
   * The auth epoch as of change counter `counter`, when the counter's own read brought it along
   * (PostgreSQL: one statement, one snapshot, for both); undefined otherwise (read it then).
   */
  authEpochAt?(counter: string): number | undefined;
  /**
   * Statements of this process, through this adapter, that may change something (anything but
   * a select), counted before they run: a change counter taken earlier may serve again only
   * while this has not moved (unchanged-reads.ts, one request's reads under one counter).
   */
  ownWrites(): number;

  /** Adds an auto-incrementing integer primary key (used for the events' order). */
  addSerialPrimaryKey<T extends string, C extends string>(table: CreateTableBuilder<T, C>, column: string): CreateTableBuilder<T, C>;

  /**
   * Adds to an existing table a unique integer column that numbers new rows in insertion order,
   * without the insert naming it: a sequence on PostgreSQL; on SQLite (which cannot add such a
   * column to a table) an AFTER INSERT trigger setting max + 1, safe because SQLite has one
   * writer at a time. Existing rows are numbered in the order of `existingOrder` (SQL).
   */
  addInsertionOrder(db: Kysely<any>, table: string, column: string, existingOrder: string): Promise<void>;
  /**
   * The number the next row inserted into `table` in this transaction would get from
   * addInsertionOrder, for an insert of many rows that numbers them itself (first, first + 1…):
   * on SQLite max + 1, which spares each row the trigger's UPDATE (a fifth of an instance
   * insert's cost); undefined on PostgreSQL, whose sequence numbers rows as they come.
   */
  nextInsertionOrder(trx: Kysely<Database>, table: 'instances', column: 'seq'): Promise<number | undefined>;

  /** Serialises migrations across processes (pg_advisory_lock on PostgreSQL). */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;

  isUniqueViolation(error: unknown): boolean;
  isForeignKeyViolation(error: unknown): boolean;

  /**
   * Tells other processes about an instance change, from inside the write's transaction so it
   * is delivered only if (and when) the write commits: NOTIFY on PostgreSQL, nothing on SQLite
   * (no other process can listen; the local feed is told after commit by the store).
   */
  announce(trx: Kysely<Database>, change: InstanceChange): Promise<void>;
  /** `announce` for many changes of one transaction in one statement (a batch of new instances). */
  announceAll(trx: Kysely<Database>, changes: readonly InstanceChange[]): Promise<void>;

  /**
   * announce as part of a statement the write runs anyway, for a RETURNING list (PostgreSQL's
   * pg_notify, saving the write a round trip): `payload` is what `announcement` gives for the
   * change. Undefined where there is nothing to announce (SQLite).
   */
  announcing?: { expression(payload: string): RawBuilder<unknown>; announcement(change: InstanceChange): string };

  /**
   * Starts receiving other processes' announcements. Returns when listening. `onChange` is
   * never called for this adapter's own announcements (the store tells its local listeners
   * itself, right after commit), so a local listener hears each write once.
   */
  listen(onChange: (change: InstanceChange) => void): Promise<void>;

  /**
   * A consistent copy of the whole database in the file `path`, taken while others write
   * (SQLite's online backup API). PostgreSQL: InputError, since pg_dump is the tool for that.
   */
  snapshot(path: string): Promise<void>;

  close(): Promise<void>;
}
