import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { testFolder } from '../testing.js';
import { withStatementCache } from './sqlite.js';

/** Rows made in JavaScript from a kept statement's arrays are the objects better-sqlite3 would make. */
describe('sqlite statement cache: rows', () => {
  function open() {
    const path = join(testFolder('paved-rows-'), 'rows.db');
    const database = new BetterSqlite3(path);
    database.exec("create table t (id integer primary key, name text, note text); insert into t values (1, 'a', null), (2, 'b', 'x')");
    return { path, database, cache: withStatementCache(database) };
  }
  const all = (cache: ReturnType<typeof withStatementCache>, sql: string, ...args: unknown[]) => cache.prepare(sql).all(args) as Record<string, unknown>[];

  it('answers the same objects as better-sqlite3, a repeated name keeping its last value, and streams them too', () => {
    const { database, cache } = open();
    const sql = 'select t.id, t.name, t.note, t2.name as name from t join t as t2 on t2.id = 3 - t.id where t.id >= ? order by t.id';
    expect(all(cache, sql, 1)).toEqual(database.prepare(sql).all(1));
    expect(all(cache, sql, 1)).toEqual([{ id: 1, name: 'b', note: null }, { id: 2, name: 'a', note: 'x' }]);
    expect([...cache.prepare('select id from t order by id').iterate([])]).toEqual([{ id: 1 }, { id: 2 }]);
    expect(all(cache, "insert into t values (3, 'c', null) returning id, name")).toEqual([{ id: 3, name: 'c' }]);
  });

  it('follows a change of columns, by this connection or another one', () => {
    const { path, database, cache } = open();
    expect(all(cache, 'select * from t where id = 1')).toEqual([{ id: 1, name: 'a', note: null }]);
    cache.prepare('alter table t add column extra text').run([]);
    expect(all(cache, 'select * from t where id = 1')).toEqual([{ id: 1, name: 'a', note: null, extra: null }]);
    const other = new BetterSqlite3(path);
    other.exec("alter table t add column more text default 'm'");
    other.close();
    expect(all(cache, 'select * from t where id = 1')).toEqual([{ id: 1, name: 'a', note: null, extra: null, more: 'm' }]);
    database.close();
  });
});
