import { expect, it } from 'vitest';
import type { InstanceStatus } from '@paved/model';
import { eachStore } from '../testing.js';
import { fakeClock, newInstance, seedTeam } from '../test-fixtures.js';
import type { Store } from '../types.js';

/**
 * The engine's writes made together share a batch (adapter.write) and, on PostgreSQL, one
 * multi-row statement a kind (combined-write.ts): secret upserts, status updates, outcome
 * events. Each write must still get its own outcome, as if it had run alone.
 */
const ready: InstanceStatus = {
  phase: 'Ready',
  conditions: [{ type: 'Ready', status: 'True', reason: 'Available', message: 'The database is ready.', lastTransitionAt: '2024-01-01T00:00:00.000Z' }],
};

async function claimed(store: Store, names: string[], leaseMs = 60_000) {
  const team = await seedTeam(store);
  const ids: string[] = [];
  for (const name of names) ids.push((await store.createInstance(newInstance(team, name))).id);
  const claims = await store.claimDue({ owner: 'w', leaseMs, limit: names.length });
  const lease = (id: string) => claims.find((c) => c.instance.id === id)!.leaseToken;
  return { team, ids, lease };
}

eachStore('store: the engine\'s writes made together', (open) => {
  it('answers a batch mixing secrets, status updates and outcome events, each write as if alone', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const { team, ids, lease } = await claimed(store, ['a', 'b', 'c']);
    clock.advance(1000);
    // All made in one turn, as a worker's passes make them: one batch, one statement a kind on PostgreSQL.
    const outcomes = await Promise.all(ids.flatMap((id) => [
      store.putSecret({ ownerId: id, name: 'generated', envelope: `{"g":"${id}"}`, keyId: '' }),
      store.putSecret({ ownerId: id, name: 'credentials', envelope: `{"c":"${id}"}`, keyId: '' }),
      store.recordStatus(id, lease(id), {
        status: ready, outputs: { host: `${id}.local` }, observedGeneration: 1, engine: { attempts: 0 }, releaseLease: true,
        events: [{ kind: 'instance.ready', teamId: team.id, instanceId: id }],
      }),
    ]));
    expect(outcomes).toEqual(ids.flatMap(() => ['written', 'written', 'changed']));
    for (const id of ids) {
      expect((await store.getSecret(id, 'generated'))?.envelope).toBe(`{"g":"${id}"}`);
      expect((await store.getSecret(id, 'credentials'))?.envelope).toBe(`{"c":"${id}"}`);
      const instance = await store.getInstance(id);
      expect(instance?.status.phase).toBe('Ready');
      expect(instance?.outputs).toEqual({ host: `${id}.local` });
      expect((await store.listEvents({ instanceId: id, kinds: ['instance.ready'] })).items).toHaveLength(1);
    }
    // Each request's first Ready recorded (the event's outcome column), and the leases ended.
    expect(await store.timeToReady({ since: 0, until: clock.now() + 1 }, 'product')).toEqual([expect.objectContaining({ count: 3, p50Ms: 1000 })]);
    expect(await store.recordEngineState(ids[0]!, lease(ids[0]!), { attempts: 1 })).toBe('lost-lease');
  });

  it('refuses the write of a pass whose lease was taken over, and only that one, in a batch made together', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const { ids, lease } = await claimed(store, ['a', 'b', 'c'], 100);
    // a's lease lapses and another worker takes it; b's and c's are renewed first.
    clock.advance(50);
    for (const id of ids.slice(1)) expect(await store.renewLease(id, lease(id), 10_000)).toBe('changed');
    clock.advance(100);
    const [theirs] = await store.claimDue({ owner: 'other', leaseMs: 10_000, limit: 3 });
    expect(theirs?.instance.id).toBe(ids[0]);
    // The status writes (guarded by the row as claimed, then read again), then the intent-only writes.
    // Each with its Ready event, which on PostgreSQL rides in the update's statement: none for the refused write.
    const statuses = await Promise.all(ids.map((id) => store.recordStatus(id, lease(id), {
      status: ready, observedGeneration: 1, engine: { pendingAction: 'create' }, events: [{ kind: 'instance.ready', instanceId: id }],
    })));
    expect(statuses).toEqual(['lost-lease', 'changed', 'changed']);
    expect(await Promise.all(ids.map(async (id) => (await store.listEvents({ instanceId: id, kinds: ['instance.ready'] })).items.length))).toEqual([0, 1, 1]);
    const states = await Promise.all(ids.map((id) => store.recordEngineState(id, lease(id), { attempts: 2 })));
    expect(states).toEqual(['lost-lease', 'changed', 'changed']);
    expect((await store.getInstance(ids[0]!))?.status.phase).toBe('Pending');
    expect((await store.getInstance(ids[1]!))?.status.phase).toBe('Ready');
    // The new owner's lease is untouched by the refused writes.
    expect(await store.recordStatus(ids[0]!, theirs!.leaseToken, { status: ready, observedGeneration: 1, engine: {} })).toBe('changed');
  });

  it('runs a batch again one write at a time when its combined statement fails: the failing write fails alone', async () => {
    const store = await open();
    const { ids } = await claimed(store, ['a', 'b']);
    // Two upserts of one secret cannot be one statement on PostgreSQL: the batch runs again, each alone, in order.
    const twice = await Promise.all([
      store.putSecret({ ownerId: ids[0]!, name: 'credentials', envelope: '{"v":1}', keyId: '' }),
      store.putSecret({ ownerId: ids[0]!, name: 'credentials', envelope: '{"v":2}', keyId: '' }),
      store.putSecret({ ownerId: ids[1]!, name: 'credentials', envelope: '{"v":3}', keyId: '' }),
    ]);
    expect(twice).toEqual(['written', 'written', 'written']);
    expect((await store.getSecret(ids[0]!, 'credentials'))?.envelope).toBe('{"v":2}');
    expect((await store.getSecret(ids[1]!, 'credentials'))?.envelope).toBe('{"v":3}');
    if (store.dialect !== 'postgres') return;
    // A row PostgreSQL refuses (text cannot hold a NUL) fails its own write only.
    const outcomes = await Promise.allSettled([
      store.putSecret({ ownerId: ids[0]!, name: 'generated', envelope: '{"v":4}', keyId: '' }),
      store.putSecret({ ownerId: ids[1]!, name: 'generated', envelope: '{"v":\u0000}', keyId: '' }),
      store.putSecret({ ownerId: ids[1]!, name: 'other', envelope: '{"v":5}', keyId: '' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.getSecret(ids[0]!, 'generated'))?.envelope).toBe('{"v":4}');
    expect(await store.getSecret(ids[1]!, 'generated')).toBeUndefined();
    expect((await store.getSecret(ids[1]!, 'other'))?.envelope).toBe('{"v":5}');
  });

  it('answers stale-key to each upsert sealed under a key that is no longer the active one, written beside others', async () => {
    const store = await open();
    expect(await store.activateMasterKey({ keyId: 'k2', version: 2 }, undefined)).toBe(true);
    // Under PostgreSQL the combined upsert writes fewer rows than given: the batch runs again one upsert at a time.
    const outcomes = await Promise.all([
      store.putSecret({ ownerId: 'o1', name: 'credentials', envelope: '{"v":1}', keyId: 'k1' }),
      store.putSecret({ ownerId: 'o2', name: 'credentials', envelope: '{"v":2}', keyId: 'k2' }),
      store.putSecret({ ownerId: 'o3', name: 'credentials', envelope: '{"v":3}', keyId: 'k1' }),
    ]);
    expect(outcomes).toEqual(['stale-key', 'written', 'stale-key']);
    expect(await store.getSecret('o1', 'credentials')).toBeUndefined();
    expect((await store.getSecret('o2', 'credentials'))?.envelope).toBe('{"v":2}');
  });
});
