import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from '#kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.js';

interface Db {
  t: { x: number };
}

describe('groupCommit', () => {
  let db: Kysely<Db>;
  afterEach(() => db?.destroy());

  async function table(): Promise<void> {
    db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    await sql`create table t (x integer unique)`.execute(db);
  }

  /** A group commit inserting each x into t, recording the order in which writes ran. */
  function inserter(savepointsAfterFailure: boolean | ((x: number) => boolean)) {
    const runs: number[] = [];
    const write = groupCommit<number, number>({
      transaction: (fn) => db.transaction().execute(fn as (trx: Kysely<Db>) => Promise<unknown>) as never,
      apply: async (trx, x) => {
        runs.push(x);
        await (trx as unknown as Kysely<Db>).insertInto('t').values({ x }).execute();
        return x;
      },
      savepointsAfterFailure,
    });
    return { runs, write };
  }

  it('is idle only while no write is queued and no batch is in its transaction (writeAlone asks it)', async () => {
    await table();
    const { write } = inserter(true);
    expect(write.idle()).toBe(true);
    const written = Promise.all([write(1), write(2)]);
    expect(write.idle()).toBe(false);
    await written;
    expect(write.idle()).toBe(true);
  });

  for (const savepointsAfterFailure of [false, true]) {
    it(`undoes a failing write alone, the others commit${savepointsAfterFailure ? ' (savepoints only after a failure)' : ''}`, async () => {
      await table();
      const { runs, write } = inserter(savepointsAfterFailure);
      // Submitted in one turn: one batch, whose third write breaks the unique constraint.
      const outcomes = await Promise.allSettled([1, 2, 2, 3].map((x) => write(x)));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      const rows = await db.selectFrom('t').select('x').orderBy('x').execute();
      expect(rows.map((r) => r.x)).toEqual([1, 2, 3]);
      // Without savepoints first, the batch ran to its failure (1, 2, 2), was rolled back and ran again.
      expect(runs).toEqual(savepointsAfterFailure ? [1, 2, 2, 1, 2, 2, 3] : [1, 2, 2, 3]);
    });
  }

  it('runs a batch without savepoints when nothing fails', async () => {
    await table();
    const { runs, write } = inserter(true);
    expect(await Promise.all([1, 2, 3].map((x) => write(x)))).toEqual([1, 2, 3]);
    expect(runs).toEqual([1, 2, 3]);
  });
  describe('when only some writes may run again (SQLite: writes, not transactions)', () => {
    // Below 100 a write may run again; from 100 on it may not (a transaction whose caller keeps what it saw).
    const mayRunAgain = (x: number) => x < 100;

    it('runs the others first, each in its savepoint, once; a failure among the rest runs only the rest again', async () => {
      await table();
      const { runs, write } = inserter(mayRunAgain);
      const outcomes = await Promise.allSettled([100, 1, 2, 2, 101, 3].map((x) => write(x)));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const rows = await db.selectFrom('t').select('x').orderBy('x').execute();
      expect(rows.map((r) => r.x)).toEqual([1, 2, 3, 100, 101]);
      expect(runs).toEqual([100, 101, 1, 2, 2, 1, 2, 2, 3]);
    });

    it('fails a write that may not run again alone, and runs the rest once', async () => {
      await table();
      const { runs, write } = inserter(mayRunAgain);
      const outcomes = await Promise.allSettled([100, 100, 1, 2].map((x) => write(x)));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const rows = await db.selectFrom('t').select('x').orderBy('x').execute();
      expect(rows.map((r) => r.x)).toEqual([1, 2, 100]);
      expect(runs).toEqual([100, 100, 1, 2]);
    });
  });
});
