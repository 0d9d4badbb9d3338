import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from '#kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from './schema.js';
import { compiledRead, preparedName } from './compiled.js';

describe('compiled reads', () => {
  it('run with new values, and are named for preparing unless they select *', async () => {
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
    await db.destroy();
  });
});
