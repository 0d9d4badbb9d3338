import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from '#kysely';
import { createTempPostgresDatabase, postgresUnavailableReason, type TempPostgresDatabase } from '../testing.js';
import { createPostgresAdapter } from './postgres.js';
import { beginWithFirstStatement } from './postgres-begin.js';
import type { DialectAdapter } from './adapter.js';

const problem = await postgresUnavailableReason();

describe.skipIf(problem !== undefined && process.env.CI !== 'true')('a transaction\'s BEGIN sent with its first statement (PostgreSQL)', () => {
  let database: TempPostgresDatabase;
  let adapter: DialectAdapter;
  beforeAll(async () => {
    database = await createTempPostgresDatabase('paved_begin');
    adapter = createPostgresAdapter(database.url);
    await sql`create table t (n int primary key)`.execute(adapter.db);
  });
  afterAll(async () => {
    await adapter?.close();
    await database?.drop();
  });
  const count = async () => Number((await sql<{ n: number }>`select count(*)::int as n from t`.execute(adapter.db)).rows[0]!.n);

  it('runs the first statement inside the transaction: a failure after it rolls it back', async () => {
    await expect(adapter.transaction(async (trx) => {
      await sql`insert into t values (1)`.execute(trx);
      await sql`insert into t values (1)`.execute(trx); // a unique violation
    })).rejects.toMatchObject({ code: '23505' });
    expect(await count()).toBe(0);
    await adapter.transaction(async (trx) => {
      await sql`insert into t values (2)`.execute(trx);
      // Not visible to another connection before the commit.
      expect(await count()).toBe(0);
    });
    expect(await count()).toBe(1);
  });

  it('keeps concurrent transactions apart on the pool', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => adapter.transaction(async (trx) => {
      await sql`insert into t values (${100 + i})`.execute(trx);
      if (i % 2 === 1) throw new Error('rolled back');
    }).catch(() => {})));
    expect(Number((await sql<{ n: number }>`select count(*)::int as n from t where n >= 100`.execute(adapter.db)).rows[0]!.n)).toBe(10);
  });

  it('fails the first statement when BEGIN fails, and writes nothing of it', async () => {
    const client = new pg.Client({ connectionString: database.url, pipeline: true });
    await client.connect();
    try {
      beginWithFirstStatement(client as unknown as pg.PoolClient);
      await client.query('begin', []);
      await expect(client.query('select 1/0')).rejects.toMatchObject({ code: '22012' });
      // The session's transaction is aborted: this BEGIN fails (it is reported done at once)…
      await client.query('begin', []);
      // …and the statement sent behind it reports that failure and is not run.
      await expect(client.query('insert into t values (3)')).rejects.toMatchObject({ code: '25P02' });
      await client.query('rollback');
    } finally {
      await client.end();
    }
    expect(Number((await sql<{ n: number }>`select count(*)::int as n from t where n = 3`.execute(adapter.db)).rows[0]!.n)).toBe(0);
  });
});
