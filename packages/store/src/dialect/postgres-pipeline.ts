import pg from 'pg';
import { Kysely, PostgresDialect } from '#kysely';
import type { Database } from '../schema.js';
import { beginWithFirstStatement } from './postgres-begin.js';
import { combineOn } from '../combined-write.js';
import { FLUSHED_LATER_IN_TRANSACTION } from './flushed-later.js';

/**
 * Transactions whose statements are pipelined (pg's `pipeline` mode): a statement is sent at
 * once, without waiting for the answer to the one before, and the answers come back in order.
 * For the engine's shared writes (adapter.write): the writes of a batch start together
 * (group-commit.ts `concurrent`), so BEGIN and their first statements reach PostgreSQL in one
 * flight, their next statements in the next, then COMMIT: a batch of 12 passes' writes waits
 * for three or four round trips instead of one a statement, and each side wakes up once a
 * flight instead of once a statement (round trips were most of a pass's cost, bench/README §3).
 * What a transaction guarantees is unchanged: the same statements, one connection, one commit.
 */
export interface PipelinedTransactions {
  transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>, options?: { flushedLater?: boolean }): Promise<T>;
  close(): Promise<void>;
}

type ClientOptions = Pick<pg.PoolConfig, 'connectionString' | 'types'>;

export function pipelinedTransactions(options: ClientOptions & { connections: number; onConnect(client: pg.PoolClient): void }): PipelinedTransactions {
  const { connections, onConnect, ...clientOptions } = options;
  const pool = new pg.Pool({ ...clientOptions, max: connections, pipeline: true });
  // As the main pool's: a dead idle connection must not crash the process; the next checkout opens another.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    onConnect(client);
    // BEGIN goes out with the writes' first statements, not awaited before them: should it fail,
    // the first statement fails too, and so does the transaction.
    beginWithFirstStatement(client);
    coalesceWrites(client);
  });
  const handleOf = lentHandles({ combine: true });
  return {
    transaction: (fn, options) => transactionOn(pool, handleOf, fn, options),
    close: () => pool.end(),
  };
}

/**
 * A Kysely handle a connection: every query goes straight to it (its "pool" hands out that
 * one connection and never waits for it), so statements issued together are pipelined.
 * Kysely's own transactions would run them one at a time (one connection, one query at a time).
 * `combine`: the writes' statements of a turn, one multi-row statement a kind where they say how
 * (combined-write.ts), for the engine's grouped writes.
 */
export function lentHandles(options: { combine: boolean }): (client: pg.PoolClient) => Kysely<Database> {
  const handles = new WeakMap<pg.PoolClient, Kysely<Database>>();
  return (client) => {
    let handle = handles.get(client);
    if (handle === undefined) {
      const lent = { query: client.query.bind(client), release() {} };
      handle = new Kysely<Database>({ dialect: new PostgresDialect({ pool: { connect: async () => lent, end: async () => {} } as never }) });
      if (options.combine) combineOn(handle);
      handles.set(client, handle);
    }
    return handle;
  };
}

/**
 * `fn` in a transaction on a connection of `pool` (in pipeline mode, its BEGIN sent with the
 * first statement: postgres-begin.ts), through its lent handle: what `fn` issues together goes
 * out together. Rolled back when `fn` throws; a statement that failed unseen makes the COMMIT a
 * ROLLBACK, which fails the transaction.
 */
export async function transactionOn<T>(
  pool: pg.Pool, handleOf: (client: pg.PoolClient) => Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>, options?: { flushedLater?: boolean },
): Promise<T> {
  const client = await pool.connect();
  let broken: unknown;
  try {
    await client.query('begin');
    // Written right behind BEGIN, before any statement of `fn`, and not waited for: should it
    // fail, the transaction is aborted and its COMMIT answers ROLLBACK (below).
    if (options?.flushedLater === true) (client.query(FLUSHED_LATER_IN_TRANSACTION) as Promise<unknown>).catch(() => {});
    let result;
    try {
      result = await fn(handleOf(client));
    } catch (error) {
      await client.query('rollback').catch((rollbackError: unknown) => { broken = rollbackError; });
      throw error;
    }
    // A transaction that failed without its caller seeing it (an error it caught) ends in a ROLLBACK.
    const committed = await client.query('commit').catch((error: unknown) => { broken = error; throw error; });
    if (committed.command === 'ROLLBACK') throw new Error('the transaction was rolled back at commit (a statement of it had failed)');
    return result;
  } finally {
    // A connection whose rollback or commit failed is in an unknown state: closed, not reused.
    client.release(broken !== undefined);
  }
}

/**
 * `fn`'s statements on one connection of `pool`, outside a transaction, through its lent handle:
 * what `fn` issues together goes out together (DialectAdapter.readTogether). pg's pipeline mode
 * gives each statement its own Sync, so one that fails fails alone. `fn` settles every statement
 * before it ends, so the connection goes back to the pool with nothing in flight.
 */
export async function readsOn<T>(pool: pg.Pool, handleOf: (client: pg.PoolClient) => Kysely<Database>, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(handleOf(client));
  } finally {
    client.release();
  }
}

/**
 * The statements `client` is given in one turn of the event loop go out in one socket write:
 * its socket is corked at the first and uncorked once the turn's other work (the other writes'
 * statements, issued from their own promise callbacks) is done. pg writes each statement as it
 * is given, one write system call each, the largest item of the engine's CPU on PostgreSQL
 * (bench/README §3). A statement waits at most for the end of the turn.
 */
function coalesceWrites(client: pg.PoolClient): void {
  // pg's connection and its socket: not in pg's types, but what pg corks itself around each statement.
  const socket = (client as unknown as { connection: { stream: NodeJS.WritableStream & { cork(): void; uncork(): void } } }).connection.stream;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  client.query = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return query(...args);
  }) as typeof client.query;
}
