import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from '#kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from './schema.js';
import { compiledRead, preparedName, rowsAgainstBase } from './compiled.js';

describe('compiled reads', () => {
  it('run with new values, and are named for preparing unless they select a star of columns', async () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    await sql`create table teams (id text primary key, name text, title text, platform integer, parent text, created_at text)`.execute(db);
    await sql`insert into teams values ('t1', 'a', 'A', 0, null, 'x'), ('t2', 'b', 'B', 0, null, 'x')`.execute(db);
    const titleOf = compiledRead((d, name: string) => d.selectFrom('teams').select('title').where('name', '=', name));
    const everything = compiledRead((d, name: string) => d.selectFrom('teams').selectAll().where('name', '=', name));
    expect(await titleOf(db, 'a')).toEqual([{ title: 'A' }]);
    expect(await titleOf(db, 'b')).toEqual([{ title: 'B' }]);
    expect((await everything(db, 'b'))[0]?.id).toBe('t2');
    const compiledSql = (query: { compile(): { sql: string } }) => query.compile().sql;
    expect(preparedName(compiledSql(db.selectFrom('teams').select('title').where('name', '=', 'a')))).toMatch(/^paved_\d+$/);
    expect(preparedName(compiledSql(db.selectFrom('teams').selectAll().where('name', '=', 'a')))).toBeUndefined();
    expect(preparedName('select 1')).toBeUndefined();
    // A star of columns keeps a statement unprepared; count(*) does not.
    const counted = compiledRead((d, name: string) => d.selectFrom('teams').select(sql<number>`count(*)`.as('n')).where('name', '=', name));
    const joinedStar = compiledRead((d, name: string) => d.selectFrom('teams').selectAll('teams').select('name as again').where('name', '=', name));
    const returningStar = compiledRead((d, id: string) => d.updateTable('teams').set({ title: 'C' }).where('id', '=', id).returningAll());
    expect(await counted(db, 'a')).toEqual([{ n: 1 }]);
    expect((await joinedStar(db, 'a'))[0]?.again).toBe('a');
    expect((await returningStar(db, 't2'))[0]?.title).toBe('C');
    expect(preparedName(compiledSql(db.selectFrom('teams').select(sql<number>`count(*)`.as('n')).where('name', '=', 'a')))).toMatch(/^paved_\d+$/);
    expect(preparedName(compiledSql(db.selectFrom('teams').selectAll('teams').select('name as again').where('name', '=', 'a')))).toBeUndefined();
    expect(preparedName(compiledSql(db.updateTable('teams').set({ title: 'C' }).where('id', '=', 't2').returningAll()))).toBeUndefined();
    await db.destroy();
  });
});

describe('rowsAgainstBase (PostgreSQL multi-row inserts)', () => {
  it('sends the first row whole and each row only where it differs, a null or undefined over a value as null, nothing but the columns', () => {
    const stamp = new Date(0);
    const rows = [
      { id: 'a', plan: 'small', parent_id: 'p', inputs: '{"x":1}', at: stamp, extra: 'never sent' },
      { id: 'b', plan: 'small', parent_id: null, inputs: '{"x":1}', at: stamp },
      { id: 'c', plan: 'large', parent_id: undefined, inputs: '{"x":"\\u0000 \\"q\\""}', at: new Date(1) },
      { id: 'd', plan: 'small', parent_id: 'p', inputs: '{"x":1}', at: stamp },
    ];
    const [base, diffs] = rowsAgainstBase(rows, ['id', 'plan', 'parent_id', 'inputs', 'at']);
    expect(JSON.parse(base)).toEqual({ id: 'a', plan: 'small', parent_id: 'p', inputs: '{"x":1}', at: stamp.toJSON() });
    expect(JSON.parse(diffs)).toEqual([
      {},
      { id: 'b', parent_id: null },
      { id: 'c', plan: 'large', parent_id: null, inputs: rows[2]!.inputs, at: new Date(1).toJSON() },
      { id: 'd' },
    ]);
    // Each row, its base's values under its own, is the row as it was sent whole.
    const whole = JSON.parse(diffs).map((diff: object) => ({ ...JSON.parse(base), ...diff }));
    expect(whole).toEqual(JSON.parse(JSON.stringify(rows.map(({ extra: _, ...row }) => ({ ...row, parent_id: row.parent_id ?? null })))));
  });
});
