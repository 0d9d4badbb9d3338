import { expect, it } from 'vitest';
import { ConflictError, type RolloutSettings } from '@paved/model';
import { eachStore, openAnother } from '../testing.js';
import { fakeClock, newInstance, seedTeam } from '../test-fixtures.js';
import type { NewRollout, Store } from '../types.js';

const settings: RolloutSettings = { canaryPercent: 10, batchGrowth: 2, soakMs: 1000, readyTimeoutMs: 60_000 };

async function rolloutOf(store: Store, count: number, product = 'postgres'): Promise<NewRollout> {
  const team = await seedTeam(store);
  const targets: NewRollout['targets'] = [];
  for (let i = 0; i < count; i++) {
    const instance = await store.createInstance(newInstance(team, `db-${i}`, { product }));
    targets.push({ instanceId: instance.id, team: team.name, instance: instance.name, fromVersion: '1.0.0', wave: i === 0 ? 0 : 1, state: 'pending', message: '' });
  }
  return { product, toVersion: '1.1.0', settings, createdBy: 'alice', ownerTeamId: team.id, targets, waves: 2 };
}

eachStore('store: rollouts', (open) => {
  it('keeps one live rollout per product, with its targets in order, newest first in the listing', async () => {
    const store = await open();
    const first = await store.createRollout(await rolloutOf(store, 3));
    expect(first).toMatchObject({ product: 'postgres', toVersion: '1.1.0', state: 'Running', wave: 0, waves: 2, stage: 'applying', settings });
    expect(first.targets.map((t) => [t.instance, t.wave, t.state])).toEqual([['db-0', 0, 'pending'], ['db-1', 1, 'pending'], ['db-2', 1, 'pending']]);
    const again = await store.createRollout(await rolloutOf(store, 1)).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictError);
    expect((again as ConflictError).code).toBe('rollout_in_progress');
    const other = await store.createRollout(await rolloutOf(store, 1, 'redis'));
    expect((await store.listRollouts({})).items.map((r) => r.id)).toEqual([other.id, first.id]);
    const page = await store.listRollouts({ limit: 1 });
    expect((await store.listRollouts({ limit: 1, cursor: page.nextCursor! })).items.map((r) => r.id)).toEqual([first.id]);
    expect((await store.latestRollout('postgres'))?.id).toBe(first.id);
    const started = await store.listEvents({ kinds: ['rollout.started'] });
    expect(started.items.map((e) => e.data.rollout)).toEqual([first.id, other.id]);
  });

  it('hands a due rollout to one claimer at a time, and a lapsed lease to the next', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const rollout = await store.createRollout(await rolloutOf(store, 2));
    const claimers = store.dialect === 'postgres' ? [store, await openAnother(store, { now: clock.now })] : [store, store];
    const claims = await Promise.all(claimers.map((s, n) => s.claimDueRollout({ owner: `w${n}`, leaseMs: 1000 })));
    expect(claims.filter((c) => c !== undefined)).toHaveLength(1);
    const claimed = claims.find((c) => c !== undefined)!;
    expect(claimed.rollout.id).toBe(rollout.id);
    expect(await store.claimDueRollout({ owner: 'late', leaseMs: 1000 })).toBeUndefined();
    clock.advance(1001);
    const taken = await store.claimDueRollout({ owner: 'next', leaseMs: 1000 });
    expect(taken?.rollout.id).toBe(rollout.id);
    // The first claimer's lease is gone: its write changes nothing.
    expect(await store.recordRolloutProgress(rollout.id, claimed.leaseToken, { dueAt: clock.now(), wave: 1 })).toBe('lost-lease');
    expect(await store.recordRolloutProgress(rollout.id, taken!.leaseToken, { dueAt: clock.now() + 500, targets: [{ position: 0, state: 'upgrading', message: '' }] })).toBe('changed');
    await store.releaseRolloutLease(rollout.id, taken!.leaseToken);
    expect(await store.claimDueRollout({ owner: 'early', leaseMs: 1000 })).toBeUndefined(); // due in 500 ms
    clock.advance(500);
    const resumed = await store.claimDueRollout({ owner: 'w', leaseMs: 1000 });
    expect(resumed?.rollout.wave).toBe(0);
    expect(resumed?.rollout.targets[0]?.state).toBe('upgrading');
    expect(resumed?.changedAt[0]).toBe(clock.now() - 500);
  });

  it('pauses and resumes; a step recorded while paused leaves it paused; a final rollout frees the product', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const rollout = await store.createRollout(await rolloutOf(store, 2));
    const claimed = (await store.claimDueRollout({ owner: 'w', leaseMs: 10_000 }))!;
    expect(await store.setRolloutPaused(rollout.id, true, 'bob')).toBe('changed');
    expect(await store.setRolloutPaused(rollout.id, true, 'bob')).toBe('unchanged');
    expect(await store.recordRolloutProgress(rollout.id, claimed.leaseToken, { state: 'Running', stage: 'soaking', soakStartedAt: clock.now(), dueAt: clock.now() })).toBe('changed');
    await store.releaseRolloutLease(rollout.id, claimed.leaseToken);
    expect((await store.getRollout(rollout.id))).toMatchObject({ state: 'Paused', stage: 'soaking', message: 'paused by bob' });
    expect(await store.claimDueRollout({ owner: 'w', leaseMs: 1000 })).toBeUndefined(); // paused: never due
    clock.advance(5000);
    expect(await store.setRolloutPaused(rollout.id, false, 'bob')).toBe('changed');
    const resumed = (await store.claimDueRollout({ owner: 'w', leaseMs: 1000 }))!;
    expect(resumed.rollout).toMatchObject({ state: 'Running', soakStartedAt: new Date(clock.now()).toISOString() });
    expect(await store.recordRolloutProgress(rollout.id, resumed.leaseToken, { state: 'Completed', dueAt: null, message: 'completed' })).toBe('changed');
    expect(await store.setRolloutPaused(rollout.id, true, 'bob')).toBe('final');
    // The product is free for the next rollout.
    const next = await store.createRollout({ ...(await rolloutOf(store, 1)), toVersion: '1.2.0' });
    expect(next.state).toBe('Running');
    const kinds = (await store.listEvents({ kinds: ['rollout.paused', 'rollout.resumed'] })).items.map((e) => [e.kind, e.actor]);
    expect(kinds).toEqual([['rollout.paused', 'bob'], ['rollout.resumed', 'bob']]);
  });

  it('moves an instance only from the version it runs, recording from and to', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const instance = await store.createInstance(newInstance(team, 'db'));
    expect(await store.moveInstanceVersion(instance.id, { from: '0.9.0', to: '1.1.0', actor: 'alice', kind: 'instance.upgraded' })).toBe('moved');
    expect(await store.moveInstanceVersion(instance.id, { from: '1.0.0', to: '1.1.0', actor: 'alice', kind: 'instance.upgraded', rollout: 'r1' })).toBe('changed');
    const moved = (await store.getInstance(instance.id))!;
    expect([moved.productVersion, moved.generation]).toEqual(['1.1.0', instance.generation + 1]);
    expect(await store.moveInstanceVersion(instance.id, { from: '1.0.0', to: '1.1.0', actor: 'alice', kind: 'instance.upgraded' })).toBe('moved');
    expect(await store.moveInstanceVersion(instance.id, { from: '1.1.0', to: '1.0.0', actor: 'alice', kind: 'instance.rolled-back', rollout: 'r1' })).toBe('changed');
    const events = await store.listEvents({ instanceId: instance.id, kinds: ['instance.upgraded', 'instance.rolled-back'] });
    expect(events.items.map((e) => [e.kind, e.data.from, e.data.to, e.data.rollout])).toEqual([['instance.upgraded', '1.0.0', '1.1.0', 'r1'], ['instance.rolled-back', '1.1.0', '1.0.0', 'r1']]);
    await store.requestDeletion(instance.id, 'alice');
    expect(await store.moveInstanceVersion(instance.id, { from: '1.0.0', to: '1.1.0', actor: 'alice', kind: 'instance.upgraded' })).toBe('deleting');
    expect(await store.moveInstanceVersion('no-such-id', { from: '1.0.0', to: '1.1.0', actor: 'alice', kind: 'instance.upgraded' })).toBe('gone');
  });

  it('holds and unholds an instance, with events', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const instance = await store.createInstance(newInstance(team, 'db'));
    expect(await store.getHold(instance.id)).toBeUndefined();
    await store.holdInstance(instance.id, 'freeze', 'alice');
    const held = await store.holdInstance(instance.id, 'quarter-end freeze', 'bob');
    expect(await store.getHold(instance.id)).toEqual(held);
    const other = await store.createInstance(newInstance(team, 'db2'));
    expect(await store.listHolds([instance.id, other.id, 'no-such-id'])).toEqual([held]);
    expect(await store.listHolds([])).toEqual([]);
    expect(held).toMatchObject({ reason: 'quarter-end freeze', heldBy: 'bob' });
    expect(await store.unholdInstance(instance.id, 'bob')).toBe(true);
    expect(await store.unholdInstance(instance.id, 'bob')).toBe(false);
    const events = await store.listEvents({ teamId: team.id, kinds: ['instance.held', 'instance.unheld'] });
    expect(events.items.map((e) => [e.kind, e.data.reason])).toEqual([['instance.held', 'freeze'], ['instance.held', 'quarter-end freeze'], ['instance.unheld', undefined]]);
  });
});
