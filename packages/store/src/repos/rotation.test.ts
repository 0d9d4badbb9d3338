import { expect, it } from 'vitest';
import { ConflictError, type InstanceStatus } from '@paved/model';
import { eachStore } from '../testing.js';
import { fakeClock, newInstance, seedTeam } from '../test-fixtures.js';
import type { Store } from '../types.js';

const ready: InstanceStatus = { phase: 'Ready', conditions: [] };

/** Creates an instance and has a worker record it Ready, as the engine would. */
async function readyInstance(store: Store, name: string) {
  const team = await seedTeam(store);
  const created = await store.createInstance(newInstance(team, name));
  const [claim] = await store.claimDue({ owner: 'w', leaseMs: 10_000, limit: 1 });
  await store.recordStatus(created.id, claim!.leaseToken, { status: ready, observedGeneration: 1, engine: { dueAt: Date.now() + 3_600_000 } });
  await store.releaseLease(created.id, claim!.leaseToken);
  return created;
}

eachStore('store: credential rotation', (open) => {
  it('a new instance is at credential 0 with nothing pending', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const instance = await store.createInstance(newInstance(team, 'db'));
    expect(instance.credentials).toEqual({ rotation: 0, rotating: false });
  });

  it('requestRotation asks for the next credential once, makes it due now, and records who asked', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const { id } = await readyInstance(store, 'db');
    clock.advance(1_000);
    const asked = await store.requestRotation(id, 'alice');
    expect(asked.credentials).toEqual({ rotation: 0, rotating: true });
    expect(await store.nextDueAt()).toBe(clock.now());
    // Asking again before the engine issued it changes nothing and records nothing.
    await store.requestRotation(id, 'bob');
    const events = await store.listEvents({ instanceId: id, kinds: ['credentials.rotation-requested'] });
    expect(events.items.map((e) => [e.actor, e.data.rotation])).toEqual([['alice', 1]]);

    const [claim] = await store.claimDue({ owner: 'w', leaseMs: 10_000, limit: 1 });
    expect(claim!.engine).toMatchObject({ rotation: 0, desiredRotation: 1, revokeRotation: null, revokeAt: null });
  });

  it('refuses to rotate an instance that is not Ready or is being deleted', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const pending = await store.createInstance(newInstance(team, 'pending'));
    const error = await store.requestRotation(pending.id, 'alice').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'instance_not_ready', issues: [{ path: 'status.phase' }] });

    const { id } = await readyInstance(store, 'going');
    await store.requestDeletion(id, 'alice');
    await expect(store.requestRotation(id, 'alice')).rejects.toMatchObject({ code: 'instance_deleting' });
  });

  it('the engine records the new credential and the pending revocation under its lease, with events, even when the status is unchanged', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const { id } = await readyInstance(store, 'db');
    await store.requestRotation(id, 'alice');
    const [claim] = await store.claimDue({ owner: 'w', leaseMs: 10_000, limit: 1 });
    const revokeAt = clock.now() + 3_600_000;
    const outcome = await store.recordStatus(id, claim!.leaseToken, {
      status: ready,
      engine: { rotation: 1, revokeRotation: 0, revokeAt, dueAt: revokeAt, pendingAction: null },
      events: [{ kind: 'credentials.rotated', teamId: claim!.instance.teamId, instanceId: id, data: { rotation: 1 } }],
    });
    expect(outcome).toBe('changed');
    const rotated = (await store.getInstance(id))!;
    expect(rotated.credentials).toEqual({ rotation: 1, rotating: false, previousRevokeAt: new Date(revokeAt).toISOString() });
    expect((await store.listEvents({ instanceId: id, kinds: ['credentials.rotated'] })).items).toHaveLength(1);
    // A stale lease cannot write rotation state.
    expect(await store.recordEngineState(id, 'not-the-token', { revokeRotation: null, revokeAt: null })).toBe('lost-lease');
    await store.recordEngineState(id, claim!.leaseToken, { revokeRotation: null, revokeAt: null, pendingAction: 'revoke' });
    const [, after] = [await store.releaseLease(id, claim!.leaseToken), await store.getInstance(id)];
    expect(after!.credentials).toEqual({ rotation: 1, rotating: false });
  });

  it('a rotation asked for during a pass keeps the instance due now, whatever next check the pass wrote', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const { id } = await readyInstance(store, 'db');
    await store.touch(id);
    const [claim] = await store.claimDue({ owner: 'w', leaseMs: 10_000, limit: 1 });
    await store.requestRotation(id, 'alice');
    await store.recordStatus(id, claim!.leaseToken, { status: ready, engine: { dueAt: clock.now() + 60_000 } });
    await store.releaseLease(id, claim!.leaseToken);
    expect(await store.nextDueAt()).toBe(clock.now());
  });

  it('deleteSecret removes one secret of an owner and leaves the others', async () => {
    const store = await open();
    await store.putSecret({ ownerId: 'o1', name: 'generated', envelope: '{}' });
    await store.putSecret({ ownerId: 'o1', name: 'generated@1', envelope: '{}' });
    await store.deleteSecret('o1', 'generated');
    await store.deleteSecret('o1', 'generated');
    expect(await store.getSecret('o1', 'generated')).toBeUndefined();
    expect(await store.getSecret('o1', 'generated@1')).toBeDefined();
  });
});
