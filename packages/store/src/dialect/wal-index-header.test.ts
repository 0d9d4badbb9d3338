import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { testFolder } from '../testing.js';
import { watchWalIndexHeader } from './wal-index-header.js';

const folder = () => testFolder('paved-wal-header-');

/** A commit by another process, as another `paved up` or the sqlite3 shell would make one. */
function commitInAnotherProcess(path: string, sql: string): void {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  execFileSync(process.execPath, ['-e', `const D = require(${JSON.stringify(module)}); const d = new D(${JSON.stringify(path)}); d.exec(${JSON.stringify(sql)}); d.close();`]);
}

/** A database file in WAL mode with a table `t`, and the path of its -shm file. */
function walDatabase(name: string) {
  const path = join(folder(), name);
  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  database.exec('create table t (x)');
  return { path, database, shm: `${path}-shm` };
}

describe('the WAL-index header, watched for commits', () => {
  it('stays put while nothing commits and moves with every commit: another process\'s, this connection\'s, after a checkpoint', () => {
    const { path, database, shm } = walDatabase('watched.db');
    const header = watchWalIndexHeader(shm)!;
    const first = header.generation();
    expect(header.generation()).toBe(first);
    database.prepare('select count(*) from t').get();
    expect(header.generation()).toBe(first);

    commitInAnotherProcess(path, 'insert into t values (1)');
    const afterOther = header.generation();
    expect(afterOther).not.toBe(first);
    expect(header.generation()).toBe(afterOther);

    database.exec('insert into t values (2)');
    const afterOwn = header.generation();
    expect(afterOwn).not.toBe(afterOther);
    // A checkpoint that empties the WAL, then a commit that starts it over at its first frame.
    database.pragma('wal_checkpoint(TRUNCATE)');
    const afterCheckpoint = header.generation();
    commitInAnotherProcess(path, 'insert into t values (3)');
    expect(header.generation()).not.toBe(afterCheckpoint);
    header.close();
    database.close();
  });

  it('counts a header being written (its two copies differ) or not initialised as a change, every time', () => {
    const shm = join(folder(), 'fake.db-shm');
    const copies = (first: number, second: number, isInit = 1) => {
      const bytes = Buffer.alloc(96);
      bytes.writeUInt32LE(first, 8);
      bytes.writeUInt32LE(second, 56);
      bytes[12] = isInit;
      bytes[60] = isInit;
      writeFileSync(shm, bytes);
    };
    copies(7, 7);
    const header = watchWalIndexHeader(shm)!;
    const settled = header.generation();
    expect(header.generation()).toBe(settled);
    copies(7, 8);
    const torn = header.generation();
    expect(torn).not.toBe(settled);
    expect(header.generation()).not.toBe(torn);
    copies(7, 7);
    const again = header.generation();
    expect(again).not.toBe(torn);
    expect(header.generation()).toBe(again);
    copies(7, 7, 0);
    expect(header.generation()).not.toBe(again);
    writeFileSync(shm, Buffer.alloc(10));
    const short = header.generation();
    expect(header.generation()).not.toBe(short);
    header.close();
  });

  it('shares one descriptor between the watchers of a file, kept until the last closes', () => {
    const { path, database, shm } = walDatabase('shared.db');
    const one = watchWalIndexHeader(shm)!;
    const two = watchWalIndexHeader(join(path, '..', 'shared.db-shm'))!;
    one.close();
    one.close();
    const before = two.generation();
    database.exec('insert into t values (1)');
    expect(two.generation()).not.toBe(before);
    two.close();
    database.close();
    expect(watchWalIndexHeader(join(folder(), 'absent.db-shm'))).toBeUndefined();
  });
});
