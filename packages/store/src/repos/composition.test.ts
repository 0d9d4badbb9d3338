import { expect, it } from 'vitest';
import { eachStore } from '../testing.js';
import { fakeClock, newInstance, seedTeam } from '../test-fixtures.js';

eachStore('store: composition', (open) => {
  it('records a part with its parent, lists parts, and can list top-level instances only', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const parent = await store.createInstance(newInstance(team, 'orders', { product: 'service-db', target: 'composite' }));
    const db = await store.createInstance(newInstance(team, 'orders-db', { parent: { id: parent.id, part: 'db' } }));
    const key = await store.createInstance(newInstance(team, 'orders-key', { product: 'secret', parent: { id: parent.id, part: 'key' } }));
    await store.createInstance(newInstance(team, 'other'));

    expect(db.parent).toEqual({ id: parent.id, name: 'orders', part: 'db' });
    expect(parent.parent).toBeUndefined();
    expect((await store.listInstanceParts(parent.id)).map((i) => [i.name, i.parent?.part])).toEqual([['orders-db', 'db'], ['orders-key', 'key']]);
    expect(await store.listInstanceParts(key.id)).toEqual([]);

    // By name, with the parts read only for the one that has some.
    const composite = await store.getInstanceWithParts(team.id, 'orders');
    expect(composite?.instance.id).toBe(parent.id);
    expect(composite?.parts.map((i) => i.name)).toEqual(['orders-db', 'orders-key']);
    expect((await store.getInstanceWithParts(team.id, 'other'))?.parts).toEqual([]);
    expect(await store.getInstanceWithParts(team.id, 'nope')).toBeUndefined();

    const all = await store.listInstances({ teamIds: [team.id] });
    expect(all.items.map((i) => i.name)).toEqual(['orders', 'orders-db', 'orders-key', 'other']);
    const top = await store.listInstances({ teamIds: [team.id], topLevel: true });
    expect(top.items.map((i) => i.name)).toEqual(['orders', 'other']);
  });

  it('counts parts against the team quota of their product and plan', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const parent = await store.createInstance(newInstance(team, 'orders', { product: 'service-db' }));
    await store.createInstance(newInstance(team, 'orders-db', { parent: { id: parent.id, part: 'db' } }));
    // The only postgres/small is a part, and it holds a database: a quota of one is used up.
    await expect(store.createInstance(newInstance(team, 'mine', { quota: { max: 1 } }))).rejects.toMatchObject({ code: 'quota_exceeded' });
  });

  it("wakes the parent when a part's status changes and when a part is forgotten", async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store);
    const parent = await store.createInstance(newInstance(team, 'orders', { product: 'service-db' }));
    const part = await store.createInstance(newInstance(team, 'orders-db', { parent: { id: parent.id, part: 'db' } }));

    // Both due now: claim them, and leave the parent idle until much later.
    const claimed = await store.claimDue({ owner: 'w', leaseMs: 60_000, limit: 10 });
    const parentClaim = claimed.find((c) => c.instance.id === parent.id)!;
    const partClaim = claimed.find((c) => c.instance.id === part.id)!;
    await store.recordStatus(parent.id, parentClaim.leaseToken, { status: { phase: 'Provisioning', conditions: [] }, engine: { dueAt: clock.now() + 3_600_000 } });
    await store.releaseLease(parent.id, parentClaim.leaseToken);
    clock.advance(1000);

    const woken: string[] = [];
    const stop = store.onInstanceChange((change) => woken.push(change.instanceId));
    expect(await store.recordStatus(part.id, partClaim.leaseToken, { status: { phase: 'Ready', conditions: [] }, engine: { dueAt: clock.now() + 3_600_000 } })).toBe('changed');
    expect(await store.nextDueAt()).toBe(clock.now());
    expect(woken).toContain(parent.id);

    // Wake-up by forgetting the part.
    const again = await store.claimDue({ owner: 'w', leaseMs: 60_000, limit: 10 });
    expect(again.map((c) => c.instance.id)).toEqual([parent.id]);
    await store.recordStatus(parent.id, again[0]!.leaseToken, { status: { phase: 'Deleting', conditions: [] }, engine: { dueAt: clock.now() + 3_600_000 } });
    await store.releaseLease(parent.id, again[0]!.leaseToken);
    clock.advance(1000);
    woken.length = 0;
    expect(await store.forgetInstance(part.id, partClaim.leaseToken)).toBe('changed');
    expect(await store.nextDueAt()).toBe(clock.now());
    expect(woken).toEqual(expect.arrayContaining([part.id, parent.id]));
    expect(await store.listInstanceParts(parent.id)).toEqual([]);
    stop();
  });
});
