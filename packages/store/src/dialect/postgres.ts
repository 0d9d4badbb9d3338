import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from '#kysely';
import { preparedName } from '../compiled.js';
import { InputError } from '@paved/model';
import type { Database } from '../schema.js';
import type { DialectAdapter, InstanceChange } from './adapter.js';
import type { WriteOptions } from '../types.js';
import { startChangeListener, type ChangeListenerHandle } from './postgres-listener.js';
import { numberExisting } from './number-existing.js';
import { groupCommit } from '../group-commit.js';
import { currentSnapshots } from './postgres-snapshots.js';
import { beginWithFirstStatement } from './postgres-begin.js';
import { lentHandles, pipelinedTransactions, readsOn, transactionOn } from './postgres-pipeline.js';

import { CHANGE_CHANNEL } from './change-channel.js';

export { CHANGE_CHANNEL };
/** Two-int advisory lock key for migrations ('pa', 've'); any constant works as long as it is ours. */
const MIGRATION_LOCK = [0x7061, 0x7665] as const;
const INT8_OID = 20;
/**
 * Connections of their own for the engine's grouped writes, one a batch in flight
 * (postgres-pipeline.ts): a pipelined batch holds its connection for a few round trips, not
 * one a statement, so two do the work the four shared ones did. The pool keeps the rest of
 * the ten connections a process has always used at most (it had 10, of which the writes could take 4).
 */
const WRITE_BATCHES = 2;
const POOL_SIZE = 10 - WRITE_BATCHES;
const SELECT = /^\s*select\b/i;
/**
 * The change counter's statement, prepared once a connection (it is read all the time under
 * load), with the auth epoch, which every request reads right after it (identity.ts): one
 * statement has one snapshot, so the epoch is the one the counter stands for, a round trip a
 * request fewer. Before migration 0022 made the epoch's table this fails, and reads go to the
 * database as when any counter read fails.
 */
const CURRENT_SNAPSHOT = {
  name: 'paved_snapshot_epoch',
  text: 'select pg_current_snapshot()::text as snapshot, (select "epoch" from "auth_epoch" where "id" = 1) as epoch',
};

/**
 * bigint (count(), bigserial, epoch-ms columns) arrives from pg as a string because it may
 * exceed 2^53. Our bigints are epoch milliseconds and counts, far below that, so they are
 * parsed as numbers here, per pool, without touching pg's global parsers (drivers use pg too).
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export function createPostgresAdapter(url: string): DialectAdapter {
  // Pipeline mode: a connection writes a query without waiting for the answer to the one before
  // (each still has its own Sync, so one's error does not touch the others' outcome outside a
  // transaction); a transaction's BEGIN goes out with its first statement (postgres-begin.ts).
  const pool = new pg.Pool({ connectionString: url, types, max: POOL_SIZE, pipeline: true });
  // An idle client whose connection dies (server restart, terminated backend) emits 'error' on
  // the pool; without a handler Node would crash. The next checkout simply opens a new one.
  pool.on('error', () => {});
  // Statements that may change something, counted as they are sent (DialectAdapter.ownWrites).
  let writes = 0;
  pool.on('connect', (client) => {
    prepareCompiledStatements(client, () => { writes++; });
    beginWithFirstStatement(client);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // A transaction's statements issued together are pipelined on its connection (the create's
  // independent ones, repos/instances.ts), where Kysely's own transaction sends one at a time.
  const transactionHandles = lentHandles({ combine: false });
  /** Tags our own NOTIFYs so the listener can ignore them: local listeners are told directly. */
  const origin = randomUUID();
  const announcement = (change: InstanceChange) => JSON.stringify({ instanceId: change.instanceId, teamId: change.teamId, origin });
  /** How every announcement of ours ends (origin is its last key), and no other's can: its origin is ours. */
  const ownEnding = `,"origin":${JSON.stringify(origin)}}`;
  let listener: ChangeListenerHandle | undefined;
  let closed = false;
  // A commit waits for the WAL flush, and one that notifies holds PostgreSQL's notify lock (one
  // for the whole cluster) while it does: the engine's writes, arriving together, share commits.
  type Work = (trx: Kysely<Database>) => Promise<unknown>;
  // Should two processes' batches wake the same composite parents in different orders, PostgreSQL
  // fails one write (in its savepoint) as a deadlock: that pass ends as a store error, its lease
  // lapses and the instance is reconciled again, as after a crash.
  // The engine's writes touch only the database and seldom fail: savepoints, a round trip each
  // way per write, only when a batch has to run again after a failure (group-commit.ts).
  // The change counter of the kept reads: outside any transaction, so never this process's uncommitted writes.
  // The last counter read and the auth epoch it brought (two reads of one snapshot agree on it).
  let epochAt: { snapshot: string; epoch: number } | undefined;
  const snapshots = currentSnapshots(async () => {
    const row = (await pool.query<{ snapshot: string; epoch: number | null }>(CURRENT_SNAPSHOT)).rows[0]!;
    if (row.epoch !== null) epochAt = { snapshot: row.snapshot, epoch: Number(row.epoch) };
    return row.snapshot;
  });
  // The batches run on pipelined connections of their own, their writes started together: the
  // statements of a batch go out in a few flights, not one round trip each (postgres-pipeline.ts).
  const pipelined = pipelinedTransactions({
    connectionString: url, types, connections: WRITE_BATCHES, onConnect: (client) => prepareCompiledStatements(client, () => { writes++; }),
  });
  /** A write alone (writeAlone) under way: the next one joins the group commit. */
  let aloneInFlight = false;
  const shared = groupCommit<{ fn: Work; flushedLater: boolean }, unknown>({
    // A batch's commit waits for its WAL flush unless every write of it is flushed by a later commit on its path (flushed-later.ts).
    transaction: (fn, items) => pipelined.transaction(fn, { flushedLater: items.every((item) => item.flushedLater) }),
    apply: (trx, item) => item.fn(trx), parallel: WRITE_BATCHES, savepointsAfterFailure: true, concurrent: true,
  });

  return {
    dialect: 'postgres',
    db,
    transaction: (fn) => transactionOn(pool, transactionHandles, fn),
    // The same lent handles: a connection's handle sends each statement at once, in or out of a transaction.
    readTogether: (fn) => readsOn(pool, transactionHandles, fn),
    write: <T>(fn: (trx: Kysely<Database>) => Promise<T>, options?: WriteOptions) => shared({ fn, flushedLater: options?.flushedLater === true }) as Promise<T>,
    // One statement on the main pool, outside a transaction: it commits by itself. One at a time:
    // writes alone are not in the group commit's queue, and under load (the engine's passes ending
    // together) each would otherwise commit, and hold the notify lock, by itself (bench/README §1 round 14).
    writeAlone: <T>(fn: (db: Kysely<Database>) => Promise<T>) => {
      if (aloneInFlight || !shared.idle()) return undefined;
      aloneInFlight = true;
      return fn(db).finally(() => { aloneInFlight = false; });
    },
    forUpdate: (query) => query.forUpdate(),
    forShare: (query) => query.forShare(),
    changeCounter: snapshots,
    authEpochAt: (counter) => (epochAt?.snapshot === counter ? epochAt.epoch : undefined),
    changeCounterIsImmediate: false,
    ownWrites: () => writes,
    jsonField: (column, field) => sql<string | null>`(${sql.ref(column)}::json ->> ${sql.lit(field)})`,
    skipLocked: (query) => query.forUpdate().skipLocked(),
    addSerialPrimaryKey: (table, column) => table.addColumn(column, 'bigserial', (col) => col.primaryKey()),
    async addInsertionOrder(target, table, column, existingOrder) {
      // bigserial numbers existing rows in storage order; they are renumbered, then the
      // sequence continues after them. Concurrent inserts take numbers in nextval order, which
      // may differ from commit order by a few in-flight rows (fine for a listing's order).
      await target.schema.alterTable(table).addColumn(column, 'bigserial', (col) => col.notNull()).execute();
      await numberExisting(target, table, column, existingOrder);
      await sql`select setval(pg_get_serial_sequence(${table}, ${column}), coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1, false)`.execute(target);
      await target.schema.createIndex(`${table}_${column}`).unique().on(table).column(column).execute();
    },
    nextInsertionOrder: async () => undefined,
    async withMigrationLock(fn) {
      // A session lock needs one connection for its whole life; the migration itself runs on
      // other pool connections, which is fine: the lock only has to exclude other processes.
      return db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(${MIGRATION_LOCK[0]}, ${MIGRATION_LOCK[1]})`.execute(conn);
        try {
          return await fn();
        } finally {
          await sql`select pg_advisory_unlock(${MIGRATION_LOCK[0]}, ${MIGRATION_LOCK[1]})`.execute(conn);
        }
      });
    },
    isUniqueViolation: (error) => codeOf(error) === '23505',
    isForeignKeyViolation: (error) => codeOf(error) === '23503',
    async announce(trx, change: InstanceChange) {
      // NOTIFY inside the transaction is delivered at commit and dropped on rollback.
      await sql`select pg_notify(${CHANGE_CHANNEL}, ${announcement(change)})`.execute(trx);
    },
    announcing: {
      expression: (payload) => sql`pg_notify(${CHANGE_CHANNEL}, ${payload})`,
      announcement,
    },
    async announceAll(trx, changes: readonly InstanceChange[]) {
      if (changes.length === 0) return;
      const payloads = changes.map((change) => JSON.stringify({ instanceId: change.instanceId, teamId: change.teamId, origin }));
      await sql`select pg_notify(${CHANGE_CHANNEL}, p) from unnest(${payloads}::text[]) as p`.execute(trx);
    },
    async listen(onChange) {
      if (listener) return;
      listener = await startChangeListener({
        url,
        types,
        channel: CHANGE_CHANNEL,
        onPayload(payload) {
          // Our own (each of our writes comes back, two a pass of the engine): dropped unparsed.
          if (payload?.endsWith(ownEnding) === true) return;
          const change = parseChange(payload);
          if (change && change.origin !== origin) onChange({ instanceId: change.instanceId, teamId: change.teamId });
        },
      });
    },
    async snapshot() {
      throw new InputError('A PostgreSQL store is backed up with PostgreSQL\'s own tools (pg_dump, or your provider\'s backups); paved backup covers the SQLite store of the embedded default', {
        code: 'backup_unsupported_store',
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await listener?.stop();
      await pipelined.close();
      await db.destroy();
    },
  };
}

function parseChange(payload: string | undefined): (InstanceChange & { origin?: string }) | undefined {
  if (!payload) return undefined;
  try {
    const value = JSON.parse(payload) as Record<string, unknown>;
    if (typeof value.instanceId !== 'string' || typeof value.teamId !== 'string') return undefined;
    return { instanceId: value.instanceId, teamId: value.teamId, origin: typeof value.origin === 'string' ? value.origin : undefined };
  } catch {
    return undefined;
  }
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : '';
}

/**
 * The compiled reads (compiled.ts) run as named prepared statements on `client`: the same SQL
 * on every request, parsed once a connection and planned once PostgreSQL settles on a generic
 * plan (instance by name, a team's page: four joins each). Every other query as it was. Every
 * statement that may write is counted on the way (`onWrite`, DialectAdapter.ownWrites).
 */
function prepareCompiledStatements(client: pg.PoolClient, onWrite: () => void): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((text: unknown, ...rest: unknown[]) => {
    // Every statement of the pool passes here (Kysely's, BEGIN and COMMIT too): anything but a select may write.
    const source = typeof text === 'string' ? text : (text as { text?: unknown } | null)?.text;
    if (typeof source !== 'string' || !SELECT.test(source)) onWrite();
    const name = typeof text === 'string' && Array.isArray(rest[0]) && rest.length === 1 ? preparedName(text) : undefined;
    return name === undefined ? query(text, ...rest) : query({ name, text, values: rest[0] });
  }) as typeof client.query;
}
