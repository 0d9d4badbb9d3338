import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import pg from 'pg';
import { expect, it, vi } from 'vitest';
import { databaseUrlOf, eachStore, openAnother, runSqlBehindStore } from './testing.js';
import { newInstance, seedTeam } from './test-fixtures.js';
import { isUnchangedRead } from './unchanged-reads.js';

// The API's reads (a team's page, one instance by name) are answered again while the database is
// unchanged (SQLite's change counter, PostgreSQL's current snapshot); every change, by this store,
// another connection or SQL by hand, is seen by the very next read.
/**
 * The same read twice, tried again while something ended between the two: PostgreSQL's counter
 * is the snapshot of the whole cluster, which other databases' transactions (other tests, other
 * programs) move too. A pair goes by in a millisecond or two, so a few tries are plenty; after
 * 100 the last pair is answered, and the test says it differed.
 */
async function readTwiceUnchanged<T>(read: () => Promise<T>): Promise<[T, T]> {
  for (let attempt = 1; ; attempt++) {
    const first = await read();
    const second = await read();
    if (first === second || attempt === 100) return [first, second];
  }
}

eachStore('store: reads kept while the database is unchanged', (open) => {
  it('answers a team page and an instance again as the same frozen object until anything changes', async () => {
    const store = await open();
    const team = await seedTeam(store);
    await store.createInstance(newInstance(team, 'kept'));
    const [page, again] = await readTwiceUnchanged(() => store.listInstances({ teamIds: [team.id] }));
    const [one, oneAgain] = await readTwiceUnchanged(() => store.getInstanceWithParts(team.id, 'kept'));
    expect(isUnchangedRead(page) && isUnchangedRead(page.items[0]!) && isUnchangedRead(one!.instance)).toBe(true);
    expect(Object.isFrozen(page.items[0]!.status)).toBe(true);
    expect(() => { (page.items as unknown[]).push(1); }).toThrow(TypeError);
    expect(again).toBe(page);
    expect(oneAgain).toBe(one);
    expect(again).toEqual(page);
    // Any change, even of another table, is a new read.
    await seedTeam(store);
    expect(await store.listInstances({ teamIds: [team.id] })).not.toBe(page);
  });

  it('sees at once a change made by this store, by another connection and by SQL behind its back', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const instance = await store.createInstance(newInstance(team, 'watched'));
    const phaseNow = async () => [
      (await store.listInstances({ teamIds: [team.id] })).items[0]?.status.phase,
      (await store.getInstanceWithParts(team.id, 'watched'))?.instance.status.phase,
    ];
    expect(await phaseNow()).toEqual(['Pending', 'Pending']);
    await store.requestDeletion(instance.id, 'alice');
    expect(await phaseNow()).toEqual(['Deleting', 'Deleting']);

    const other = await openAnother(store);
    await other.holdInstance(instance.id, 'a freeze', 'bob');
    expect((await store.getInstanceWithParts(team.id, 'watched'))?.instance.hold?.reason).toBe('a freeze');

    // A delete without a where, which SQLite's total_changes() does not count, and an update by hand.
    await runSqlBehindStore(store, ['delete from instance_holds', `update instances set status = '{"phase":"Failed","conditions":[]}'`]);
    expect((await store.getInstanceWithParts(team.id, 'watched'))?.instance.hold).toBeUndefined();
    expect(await phaseNow()).toEqual(['Failed', 'Failed']);
    await runSqlBehindStore(store, ['delete from instances']);
    expect(await phaseNow()).toEqual([undefined, undefined]);
  });

  it('reads the auth epoch anew after a change by this store, another connection and SQL by hand', async () => {
    // On PostgreSQL the epoch comes with the change counter, in the counter's own statement
    // (dialect/postgres.ts): it must be the epoch of that very snapshot, moved by every change.
    const store = await open();
    const team = await seedTeam(store);
    const user = await store.createUser({ name: 'epoch-watcher', admin: false });
    const before = await store.authEpoch();
    expect(await store.authEpoch()).toBe(before);
    await store.setMembership({ teamId: team.id, userId: user.id, role: 'viewer' });
    const afterMember = await store.authEpoch();
    expect(afterMember).toBeGreaterThan(before);
    const other = await openAnother(store);
    await other.setMembership({ teamId: team.id, userId: user.id, role: 'owner' });
    const afterRole = await store.authEpoch();
    expect(afterRole).toBeGreaterThan(afterMember);
    await runSqlBehindStore(store, ['delete from memberships']);
    expect(await store.authEpoch()).toBeGreaterThan(afterRole);
  });

  it('shares one counter within a question (PostgreSQL): its own writes are seen at once, another connection\'s by the next question', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const instance = await store.createInstance(newInstance(team, 'asked'));
    const other = await openAnother(store);
    const one = () => store.getInstanceWithParts(team.id, 'asked');
    await store.asOneQuestion(async () => {
      const first = await one();
      await other.holdInstance(instance.id, 'a freeze', 'bob');
      if (store.dialect === 'postgres') {
        // The hold committed after the question was asked: its counter still answers what it kept.
        expect(await one()).toBe(first);
      } else {
        // SQLite has no questions (its counter is read at once, unchanged-reads.ts): each read takes its own.
        expect((await one())?.instance.hold?.reason).toBe('a freeze');
      }
      // A write of this store within the question: the next read takes a counter afresh.
      await store.requestDeletion(instance.id, 'alice');
      expect((await one())?.instance).toMatchObject({ deletionRequested: true, hold: { reason: 'a freeze' } });
    });
    await store.asOneQuestion(async () => {
      expect(await one()).toBeDefined();
      await runSqlBehindStore(store, ['delete from instance_holds']);
    });
    // Outside the question, and in the next one, the change by hand is seen.
    expect((await one())?.instance.hold).toBeUndefined();
    await other.holdInstance(instance.id, 'again', 'bob');
    expect(await store.asOneQuestion(async () => (await one())?.instance.hold?.reason)).toBe('again');
    // A question's counter superseded meanwhile by a newer caller's: it takes a counter afresh
    // (never answering older than what it kept), the newer caller's results still kept.
    let firstRead!: () => void;
    let resume!: () => void;
    const readOnce = new Promise<void>((r) => { firstRead = r; });
    const gate = new Promise<void>((r) => { resume = r; });
    const asked = store.asOneQuestion(async () => {
      const before = await one();
      firstRead();
      await gate;
      return [before, await one()] as const;
    });
    await readOnce;
    await other.holdInstance(instance.id, 'third', 'bob');
    const newer = await one();
    expect(newer?.instance.hold?.reason).toBe('third');
    resume();
    const [before, late] = await asked;
    expect(before?.instance.hold?.reason).toBe('again');
    expect(late).not.toBe(before);
    expect(late?.instance.hold?.reason).toBe('third');
    // PostgreSQL's snapshot is the whole cluster's: another database's commit may have moved it since.
    if (store.dialect === 'sqlite') {
      expect(late).toBe(newer);
      expect(await one()).toBe(newer);
    }
  });

  it('answers a kept read without a promise only under the counter it was kept under (keptInstanceWithParts, keptAuthEpoch)', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const instance = await store.createInstance(newInstance(team, 'kept'));
    const other = await openAnother(store);
    const one = () => store.getInstanceWithParts(team.id, 'kept');
    const kept = () => store.keptInstanceWithParts(team.id, 'kept');
    if (store.dialect === 'sqlite') {
      // SQLite's counter is read at once: outside a question too, and any change is seen.
      const [first] = await readTwiceUnchanged(one);
      expect(kept()).toBe(first);
      await other.holdInstance(instance.id, 'a freeze', 'bob');
      expect(kept()).toBeUndefined();
      expect((await one())?.instance.hold?.reason).toBe('a freeze');
      expect(kept()?.instance.hold?.reason).toBe('a freeze');
      await runSqlBehindStore(store, ['delete from instance_holds']);
      expect(kept()).toBeUndefined();
    } else {
      // PostgreSQL's counter is a round trip: outside a question it is never known at once.
      await one();
      expect(kept()).toBeUndefined();
    }
    await store.asOneQuestion(async () => {
      // Within a question: once a read of it has its counter, the later ones are answered at once…
      if (store.dialect === 'postgres') expect(kept()).toBeUndefined();
      const epoch = await store.authEpoch();
      expect(store.keptAuthEpoch()).toBe(epoch);
      const first = await one();
      expect(kept()).toBe(first);
      // …another connection's commit since is the next question's (as for the awaited read;
      // SQLite has no questions: its counter, read at once, sees the commit)…
      await other.holdInstance(instance.id, 'later', 'bob');
      expect(kept()).toBe(store.dialect === 'postgres' ? first : undefined);
      // …and a write of this store is seen at once: nothing kept answers until read again.
      await store.requestDeletion(instance.id, 'alice');
      expect(kept()).toBeUndefined();
      expect(store.keptAuthEpoch()).toBeUndefined();
      expect((await one())?.instance).toMatchObject({ deletionRequested: true, hold: { reason: 'later' } });
    });
  });

  it('holds a question on SQLite while its function runs synchronously, not after an await', async () => {
    const store = await open();
    if (store.dialect !== 'sqlite') return;
    const team = await seedTeam(store);
    const instance = await store.createInstance(newInstance(team, 'sync'));
    const [first] = await readTwiceUnchanged(() => store.getInstanceWithParts(team.id, 'sync'));
    const kept = () => store.keptInstanceWithParts(team.id, 'sync');
    const bump = `update instances set attempts = attempts + 1 where id = '${instance.id}'`;
    const [before, after, later] = await store.asOneQuestion(async () => {
      const answers = [kept()];
      // A commit by hand, made synchronously (SQLite's runSqlBehindStore runs before its first
      // await): the question's counter was taken before it, and still answers.
      void runSqlBehindStore(store, [bump]);
      answers.push(kept());
      await Promise.resolve();
      // After an await the question is over: the read takes its own counter and sees the commit.
      answers.push(kept());
      return answers;
    });
    expect(before).toBe(first);
    expect(after).toBe(first);
    expect(later).toBeUndefined();
    expect((await store.getInstanceWithParts(team.id, 'sync'))?.instance).not.toBe(first?.instance);
  });

  it('answers the questions asked in one turn together after it, under one counter taken after all of them were asked (SQLite: one header read; PostgreSQL: one snapshot, then at once)', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const instance = await store.createInstance(newInstance(team, 'batched'));
    const kept = () => store.keptInstanceWithParts(team.id, 'batched');
    const one = () => store.getInstanceWithParts(team.id, 'batched');
    const [first] = await readTwiceUnchanged(one);
    if (store.dialect !== 'sqlite') {
      // PostgreSQL: run together once the snapshot asked for after all of them has arrived, and
      // answered from what was kept without a promise — unless the snapshot moved since it was
      // kept (other databases' transactions move it too: tried again, as readTwiceUnchanged).
      const ask = async () => {
        const answers: unknown[] = [];
        for (let i = 0; i < 3; i++) store.asOneQuestionOnceArrived(() => answers.push(kept()));
        expect(answers).toEqual([]);
        await vi.waitFor(() => expect(answers).toHaveLength(3));
        return answers;
      };
      let unchanged = await ask();
      for (let attempt = 1; attempt < 100 && unchanged.some((answer) => answer !== first); attempt++) {
        await one();
        unchanged = await ask();
      }
      for (const answer of unchanged) expect(answer).toBe(first);
      // Another connection's commit before they were asked: none of them is answered from before it.
      await runSqlBehindStore(store, [`update instances set attempts = attempts + 1 where id = '${instance.id}'`]);
      expect(await ask()).toEqual([undefined, undefined, undefined]);
      expect((await one())?.instance).not.toBe(first?.instance);
      return;
    }
    // The WAL-index header's reads (wal-index-header.ts): node:fs's readSync, watched.
    const readSync = vi.spyOn(fs, 'readSync');
    syncBuiltinESMExports();
    try {
      const ask = async (commitAfter?: number) => {
        const answers: unknown[] = [];
        for (let i = 0; i < 3; i++) {
          store.asOneQuestionOnceArrived(() => answers.push(kept()));
          // A commit by hand after a question was asked, made synchronously (before
          // runSqlBehindStore's first await): every question asked before it sees it.
          if (i === commitAfter) void runSqlBehindStore(store, [`update instances set attempts = attempts + 1 where id = '${instance.id}'`]);
        }
        expect(answers).toEqual([]);
        readSync.mockClear();
        await new Promise((resolve) => setImmediate(resolve));
        return { answers, headerReads: readSync.mock.calls.length };
      };
      // Unchanged: all three answered from what was kept, after one read of the header.
      const unchanged = await ask();
      expect(unchanged.answers).toHaveLength(3);
      for (const answer of unchanged.answers) expect(answer).toBe(first);
      expect(unchanged.headerReads).toBe(1);
      // Another connection's commit after the first was asked: none of the three is answered from before it.
      const changed = await ask(0);
      expect(changed.answers).toEqual([undefined, undefined, undefined]);
      expect(changed.headerReads).toBe(1);
    } finally {
      readSync.mockRestore();
      syncBuiltinESMExports();
    }
    expect((await one())?.instance).not.toBe(first?.instance);
  });

  it('answers what was committed when it was asked, never a transaction still open (PostgreSQL: other connections)', async () => {
    const store = await open();
    if (store.dialect !== 'postgres') return;
    const team = await seedTeam(store);
    await store.createInstance(newInstance(team, 'pending'));
    const phase = async () => (await store.getInstanceWithParts(team.id, 'pending'))?.instance.status.phase;
    const client = new pg.Client({ connectionString: databaseUrlOf(store) });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(`update instances set status = '{"phase":"Failed","conditions":[]}'`);
      expect(await phase()).toBe('Pending');
      expect(await phase()).toBe('Pending');
      await client.query('commit');
      expect(await phase()).toBe('Failed');
      // Many callers at once, after a commit: every one sees it.
      await client.query(`update instances set status = '{"phase":"Ready","conditions":[]}'`);
      expect(new Set(await Promise.all(Array.from({ length: 20 }, phase)))).toEqual(new Set(['Ready']));
    } finally {
      await client.end();
    }
  });
});
