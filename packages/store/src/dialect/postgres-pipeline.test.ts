import pg from 'pg';
import { sql, type Kysely } from '#kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupCommit } from '../group-commit.js';
import { createTempPostgresDatabase, postgresUnavailableReason, type TempPostgresDatabase } from '../testing.js';
import { pipelinedTransactions, type PipelinedTransactions } from './postgres-pipeline.js';

const unavailable = await postgresUnavailableReason();
if (unavailable !== undefined && process.env.CI !== 'true') console.warn(`Skipping the pipelined transactions' tests: ${unavailable}.`);

describe.skipIf(unavailable !== undefined && process.env.CI !== 'true')('pipelined transactions (PostgreSQL)', () => {
  let database: TempPostgresDatabase;
  let pipelined: PipelinedTransactions;
  let reader: pg.Client;
  /** Socket writes of the pipelined connections, counted as pg makes them. */
  let socketWrites = 0;

  beforeAll(async () => {
    database = await createTempPostgresDatabase('paved_pipeline');
    reader = new pg.Client({ connectionString: database.url });
    await reader.connect();
    await reader.query('create table t (x integer unique)');
    pipelined = pipelinedTransactions({
      connectionString: database.url, connections: 2,
      onConnect(client) {
        // What the socket hands the system: one call per write, however many messages a corked write holds.
        type Sink = (...args: unknown[]) => void;
        const socket = (client as unknown as { connection: { stream: { _write: Sink; _writev: Sink } } }).connection.stream;
        for (const method of ['_write', '_writev'] as const) {
          const original = socket[method].bind(socket);
          socket[method] = (...args: unknown[]) => { socketWrites++; original(...args); };
        }
      },
    });
  });
  afterAll(async () => {
    await pipelined?.close();
    await reader?.end();
    await database?.drop();
  });

  const rows = async () => (await reader.query<{ x: number }>('select x from t order by x')).rows.map((row) => row.x);

  /**
   * A group commit whose writes start together on a pipelined connection: each inserts x, then,
   * once that answered, x + 1000 (a write of two statements, the second depending on the first).
   */
  function inserter() {
    return groupCommit<number, number>({
      transaction: (fn) => pipelined.transaction(fn),
      apply: async (trx, x) => {
        await sql`insert into t (x) values (${x})`.execute(trx as Kysely<never>);
        await sql`insert into t (x) values (${x + 1000})`.execute(trx as Kysely<never>);
        return x;
      },
      parallel: 2,
      savepointsAfterFailure: true,
      concurrent: true,
    });
  }

  it('runs a batch\'s writes together, each answered after the commit, their statements sent together', async () => {
    await reader.query('truncate t');
    const write = inserter();
    await write(0); // the connection opened, its first statements prepared
    const before = socketWrites;
    expect(await Promise.all([1, 2, 3, 4].map((x) => write(x)))).toEqual([1, 2, 3, 4]);
    expect(await rows()).toEqual([0, 1, 2, 3, 4, 1000, 1001, 1002, 1003, 1004]);
    // BEGIN and the four first inserts go in one write; each second insert is sent when its first
    // is answered (together when the answers arrive together), then COMMIT: at most six writes, not ten.
    expect(socketWrites - before).toBeLessThanOrEqual(6);
  });

  it('undoes a failing write alone: the others commit whole, also where the failure cut them short', async () => {
    await reader.query('truncate t');
    const write = inserter();
    // One batch: 2's second insert (1002) collides with the third write's first; run again one
    // by one, each in its savepoint, the third write is the one that fails.
    const outcomes = await Promise.allSettled([1, 2, 1002, 3].map((x) => write(x)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(await rows()).toEqual([1, 2, 3, 1001, 1002, 1003]);
    // The connections are still good for the next batch.
    expect(await Promise.all([5, 6].map((x) => write(x)))).toEqual([5, 6]);
  });

  it('rolls back a transaction whose function fails, and keeps its connection usable', async () => {
    await reader.query('truncate t');
    await expect(pipelined.transaction(async (trx) => {
      await sql`insert into t (x) values (1)`.execute(trx as Kysely<never>);
      throw new Error('changed its mind');
    })).rejects.toThrow('changed its mind');
    // A statement that fails unawaited by the function still fails the commit.
    await expect(pipelined.transaction(async (trx) => {
      void sql`insert into t (x) values ('not a number')`.execute(trx as Kysely<never>).catch(() => {});
      await sql`select 1`.execute(trx as Kysely<never>).catch(() => {});
    })).rejects.toThrow();
    expect(await pipelined.transaction(async (trx) => (await sql<{ n: number }>`select 7 as n`.execute(trx as Kysely<never>)).rows[0]!.n)).toBe(7);
    expect(await rows()).toEqual([]);
  });
});
