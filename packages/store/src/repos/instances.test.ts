import { describe, expect, it } from 'vitest';
import { ConflictError, InputError, NotFoundError, QuotaError, type InstanceStatus } from '@paved/model';
import { eachStore } from '../testing.js';
import { fakeClock, newInstance, seedTeam } from '../test-fixtures.js';
import type { Store } from '../types.js';

eachStore('store: instances', (open) => {
  it('creates a pending instance that is due now, with its requested event', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store, 'payments');
    const input = newInstance(team, 'orders-db', { inputs: { extensions: ['citext'] } });
    const instance = await store.createInstance(input);
    expect(instance).toMatchObject({
      id: input.id,
      teamId: team.id,
      teamName: 'payments',
      name: 'orders-db',
      product: 'postgres',
      productVersion: '1.0.0',
      plan: 'small',
      inputs: { extensions: ['citext'] },
      externalName: input.externalName,
      generation: 1,
      observedGeneration: 0,
      deletionRequested: false,
      status: { phase: 'Pending', conditions: [] },
      outputs: {},
      createdBy: 'alice',
      createdAt: new Date(clock.now()).toISOString(),
    });
    expect(await store.getInstance(instance.id)).toEqual(instance);
    expect(await store.getInstanceByName(team.id, 'orders-db')).toEqual(instance);
    expect(await store.nextDueAt()).toBe(clock.now());
    const events = await store.listEvents({ instanceId: instance.id });
    expect(events.items.map((e) => [e.kind, e.actor, e.teamId])).toEqual([['instance.requested', 'alice', team.id]]);
  });

  it('reads an instance with one of its secrets in one read: the envelope as getSecret has it, null when there is none', async () => {
    const store = await open();
    const team = await seedTeam(store, 'payments');
    const instance = await store.createInstance(newInstance(team, 'with-secret'));
    expect(await store.getInstanceWithSecret(instance.id, 'credentials')).toEqual({ instance, secret: null });
    await store.putSecret({ ownerId: instance.id, name: 'credentials', envelope: '{"v":1}', keyId: 'k1' });
    await store.putSecret({ ownerId: instance.id, name: 'generated', envelope: '{"v":2}', keyId: 'k1' });
    const read = await store.getInstanceWithSecret(instance.id, 'credentials');
    expect(read).toEqual({ instance, secret: await store.getSecret(instance.id, 'credentials') });
    expect(read?.secret).toMatchObject({ ownerId: instance.id, name: 'credentials', envelope: '{"v":1}', keyId: 'k1' });
    expect((await store.getInstanceWithSecret(instance.id, 'generated'))?.secret?.envelope).toBe('{"v":2}');
    expect(await store.getInstanceWithSecret('no-such-instance', 'credentials')).toBeUndefined();
  });

  it('refuses a second instance with the same name in a team, naming the field', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const other = await seedTeam(store);
    await store.createInstance(newInstance(team, 'cache'));
    const error = await store.createInstance(newInstance(team, 'cache')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'instance_exists', issues: [{ path: 'name' }] });
    await store.createInstance(newInstance(other, 'cache'));
    expect(await store.countInstances({})).toBe(2);
    await expect(store.createInstance({ ...newInstance(team, 'x'), teamId: 'missing' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('enforces the quota per team, product and plan, counting instances being deleted', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const quota = { max: 2 };
    const a = await store.createInstance(newInstance(team, 'a', { quota }));
    await store.createInstance(newInstance(team, 'b', { quota }));
    await store.requestDeletion(a.id, 'alice');
    const error = await store.createInstance(newInstance(team, 'c', { quota })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaError);
    expect((error as QuotaError).code).toBe('quota_exceeded');
    // Another plan or product has its own count.
    await store.createInstance(newInstance(team, 'd', { quota, plan: 'large' }));
    await store.createInstance(newInstance(team, 'e', { quota, product: 'redis' }));
    expect(await store.countInstances({ teamId: team.id, product: 'postgres', plan: 'small' })).toBe(2);
  });

  it('cannot overshoot the quota with concurrent creates', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => store.createInstance(newInstance(team, `db-${i}`, { quota: { max: 3 } }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(QuotaError);
    expect(await store.countInstances({ teamId: team.id })).toBe(3);
  });

  it('answers each of many concurrent creates on its own: a refused one (its name taken) leaves the others and their events', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const names = ['a', 'b', 'a', 'c', 'd'];
    const results = await Promise.allSettled(names.map((name) => store.createInstance(newInstance(team, name))));
    // One of the two 'a' is refused (on PostgreSQL either may take the team lock first).
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(ConflictError);
    const created = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(created.map((i) => i.name).sort()).toEqual(['a', 'b', 'c', 'd']);
    for (const instance of created) {
      expect(await store.getInstance(instance.id)).toEqual(instance);
      expect((await store.listEvents({ instanceId: instance.id })).items.map((e) => e.kind)).toEqual(['instance.requested']);
    }
    expect(await store.countInstances({ teamId: team.id })).toBe(4);
  });

  it('updates the spec: bumps the generation, makes it due now, and ignores a no-op update', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store);
    const created = await store.createInstance(newInstance(team, 'db'));
    const [claim] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 });
    await store.recordEngineState(created.id, claim!.leaseToken, { dueAt: clock.now() + 60_000 });
    await store.releaseLease(created.id, claim!.leaseToken);
    clock.advance(5000);

    const updated = await store.updateInstanceSpec(created.id, { plan: 'large', inputs: { size: 2 } }, 'bob');
    expect(updated).toMatchObject({ plan: 'large', inputs: { size: 2 }, generation: 2, productVersion: '1.0.0' });
    expect(await store.nextDueAt()).toBe(clock.now());
    const same = await store.updateInstanceSpec(created.id, { plan: 'large', inputs: { size: 2 } }, 'bob');
    expect(same.generation).toBe(2);
    const kinds = (await store.listEvents({ instanceId: created.id })).items.map((e) => [e.kind, e.actor]);
    expect(kinds).toEqual([['instance.requested', 'alice'], ['instance.updated', 'bob']]);
    await expect(store.updateInstanceSpec('missing', { plan: 'x' }, 'bob')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('requests deletion once: second call neither bumps nor records again; then refuses updates', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const created = await store.createInstance(newInstance(team, 'db'));
    const first = await store.requestDeletion(created.id, 'bob');
    expect(first).toMatchObject({ deletionRequested: true, generation: 2, status: { phase: 'Deleting' } });
    const second = await store.requestDeletion(created.id, 'bob');
    expect(second.generation).toBe(2);
    const kinds = (await store.listEvents({ instanceId: created.id })).items.map((e) => e.kind);
    expect(kinds).toEqual(['instance.requested', 'instance.delete-requested']);
    await expect(store.updateInstanceSpec(created.id, { plan: 'large' }, 'bob')).rejects.toMatchObject({ code: 'instance_deleting' });
  });

  it('touch makes an instance due now', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store);
    const created = await store.createInstance(newInstance(team, 'db'));
    const [claim] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 });
    await store.recordEngineState(created.id, claim!.leaseToken, { dueAt: clock.now() + 60_000 });
    await store.releaseLease(created.id, claim!.leaseToken);
    expect(await store.nextDueAt()).toBe(clock.now() + 60_000);
    clock.advance(10);
    await store.touch(created.id);
    expect(await store.nextDueAt()).toBe(clock.now());
    await expect(store.touch('missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  describe('requestReconcile', () => {
    const failed: InstanceStatus = {
      phase: 'Failed',
      conditions: [{ type: 'Ready', status: 'False', reason: 'ProvisioningFailed', message: 'Creating "x" failed: permission denied.', lastTransitionAt: '2026-01-01T00:00:00.000Z' }],
      lastError: 'permission denied',
    };

    /** An instance the engine gave up on after 5 attempts, next due an hour from now. */
    async function failedInstance(store: Store, clock: ReturnType<typeof fakeClock>, name = 'db') {
      const team = await seedTeam(store);
      const created = await store.createInstance(newInstance(team, name));
      const [claim] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 });
      await store.recordStatus(created.id, claim!.leaseToken, { status: failed, engine: { attempts: 5, pendingAction: 'create', dueAt: clock.now() + 3_600_000 } });
      await store.releaseLease(created.id, claim!.leaseToken);
      return created;
    }

    it('makes a Failed instance due now with its failure count reset, shows it Provisioning and records who asked', async () => {
      const clock = fakeClock();
      const store = await open({ now: clock.now });
      const { id, teamId } = await failedInstance(store, clock);
      clock.advance(10);
      const heard: string[] = [];
      const unsubscribe = store.onInstanceChange((change) => heard.push(change.instanceId));

      const asked = await store.requestReconcile(id, 'bob');
      unsubscribe();
      expect(asked.status).toEqual({ ...failed, phase: 'Provisioning' });
      expect(heard).toEqual([id]);
      expect(await store.nextDueAt()).toBe(clock.now());
      const [claim] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 });
      // The intent stays: a resumed pass needs it.
      expect(claim!.engine).toMatchObject({ attempts: 0, pendingAction: 'create', dueAt: clock.now() });
      const events = await store.listEvents({ instanceId: id, kinds: ['instance.reconcile-requested'] });
      expect(events.items.map((e) => [e.actor, e.teamId, e.data])).toEqual([['bob', teamId, { name: 'db', phase: 'Failed' }]]);

      // Failing again the same way is a change a watcher sees, not an 'unchanged' write.
      expect(await store.recordStatus(id, claim!.leaseToken, { status: failed, engine: { attempts: 1 } })).toBe('changed');
    });

    it('shows a Failed instance being deleted as Deleting', async () => {
      const clock = fakeClock();
      const store = await open({ now: clock.now });
      const { id } = await failedInstance(store, clock);
      await store.requestDeletion(id, 'bob');
      const [claim] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 });
      await store.recordStatus(id, claim!.leaseToken, { status: failed, engine: { attempts: 5, dueAt: clock.now() + 3_600_000 } });
      await store.releaseLease(id, claim!.leaseToken);

      expect((await store.requestReconcile(id, 'bob')).status.phase).toBe('Deleting');
      expect(await store.nextDueAt()).toBe(clock.now());
    });

    it('leaves the phase of an instance that is not Failed alone, and records every request', async () => {
      const clock = fakeClock();
      const store = await open({ now: clock.now });
      const team = await seedTeam(store);
      const created = await store.createInstance(newInstance(team, 'db'));
      const [claim] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 });
      await store.recordStatus(created.id, claim!.leaseToken, { status: { phase: 'Ready', conditions: [] }, observedGeneration: 1, engine: { dueAt: clock.now() + 60_000 } });
      await store.releaseLease(created.id, claim!.leaseToken);

      expect((await store.requestReconcile(created.id, 'bob')).status.phase).toBe('Ready');
      expect((await store.requestReconcile(created.id, 'carol')).status.phase).toBe('Ready');
      expect(await store.nextDueAt()).toBe(clock.now());
      const events = await store.listEvents({ instanceId: created.id, kinds: ['instance.reconcile-requested'] });
      expect(events.items.map((e) => e.actor)).toEqual(['bob', 'carol']);
      await expect(store.requestReconcile('missing', 'bob')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  it('lists instances in the order they were created, across pages, whatever their timestamps say', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store);
    const other = await seedTeam(store);
    const names: string[] = [];
    for (let i = 0; i < 7; i++) {
      // Most share a millisecond (ids are random, so they cannot break the tie); db-5 comes
      // from a clock running behind (another process): it is still listed after db-4.
      if (i === 3) clock.advance(1);
      if (i === 5) clock.advance(-60_000);
      names.push(`db-${i}`);
      await store.createInstance(newInstance(team, `db-${i}`, { product: i === 6 ? 'redis' : 'postgres' }));
    }
    await store.createInstance(newInstance(other, 'elsewhere'));

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listInstances({ teamIds: [team.id], limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((i) => i.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(names);

    expect((await store.listInstances({})).items).toHaveLength(8);
    expect((await store.listInstances({ teamIds: [] })).items).toEqual([]);
    expect((await store.listInstances({ teamIds: [team.id], product: 'redis' })).items.map((i) => i.name)).toEqual(['db-6']);
    await expect(store.listInstances({ cursor: 'bad' })).rejects.toBeInstanceOf(InputError);
  });

  it('lists one phase, with a product or not, a page at a time, for one team or several', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const other = await seedTeam(store);
    const ids: Record<string, string> = {};
    for (let i = 0; i < 7; i++) ids[`db-${i}`] = (await store.createInstance(newInstance(team, `db-${i}`, { product: i === 4 ? 'redis' : 'postgres' }))).id;
    const elsewhere = await store.createInstance(newInstance(other, 'elsewhere'));
    // Asking for deletion shows phase Deleting at once; the rest stay Pending.
    for (const name of ['db-1', 'db-2', 'db-4', 'db-5']) await store.requestDeletion(ids[name]!, 'alice');
    await store.requestDeletion(elsewhere.id, 'alice');
    const names = async (filter: Parameters<Store['listInstances']>[0]) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listInstances({ ...filter, limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((i) => i.name));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    expect(await names({ teamIds: [team.id], phase: 'Deleting' })).toEqual(['db-1', 'db-2', 'db-4', 'db-5']);
    expect(await names({ teamIds: [team.id], phase: 'Pending' })).toEqual(['db-0', 'db-3', 'db-6']);
    expect(await names({ teamIds: [team.id], phase: 'Deleting', product: 'postgres' })).toEqual(['db-1', 'db-2', 'db-5']);
    expect(await names({ teamIds: [team.id], phase: 'Ready' })).toEqual([]);
    // Several teams (and the top-level filter) take the general query, filtered the same way.
    expect(await names({ teamIds: [team.id, other.id], phase: 'Deleting' })).toEqual(['db-1', 'db-2', 'db-4', 'db-5', 'elsewhere']);
    expect(await names({ teamIds: [team.id], phase: 'Pending', topLevel: true })).toEqual(['db-0', 'db-3', 'db-6']);
    for (const instance of (await store.listInstances({ teamIds: [team.id], phase: 'Deleting' })).items) expect(instance.status.phase).toBe('Deleting');
  });
});
