import { expect, it } from 'vitest';
import { eachStore, openAnother, runSqlBehindStore } from './testing.js';
import { newInstance, seedTeam } from './test-fixtures.js';
import { isUnchangedRead } from './unchanged-reads.js';

// The API's reads (a team's page, one instance by name) are answered again while the database is
// unchanged (SQLite); every change, by this store, another connection or SQL by hand, is seen by
// the very next read. On PostgreSQL nothing is kept, and the same must hold.
eachStore('store: reads kept while the database is unchanged', (open) => {
  it('answers a team page and an instance again as the same frozen object until anything changes', async () => {
    const store = await open();
    const team = await seedTeam(store);
    await store.createInstance(newInstance(team, 'kept'));
    const page = await store.listInstances({ teamIds: [team.id] });
    const one = await store.getInstanceWithParts(team.id, 'kept');
    const again = await store.listInstances({ teamIds: [team.id] });
    const oneAgain = await store.getInstanceWithParts(team.id, 'kept');
    if (store.dialect === 'sqlite') {
      expect(isUnchangedRead(page) && isUnchangedRead(page.items[0]!) && isUnchangedRead(one!.instance)).toBe(true);
      expect(Object.isFrozen(page.items[0]!.status)).toBe(true);
      expect(() => { (page.items as unknown[]).push(1); }).toThrow(TypeError);
      expect(again).toBe(page);
      expect(oneAgain).toBe(one);
    } else {
      expect(isUnchangedRead(page)).toBe(false);
      expect(again).not.toBe(page);
    }
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
});
