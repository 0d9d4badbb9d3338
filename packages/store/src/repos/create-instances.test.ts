import { expect, it } from 'vitest';
import { ConflictError, NotFoundError, QuotaError, type Instance } from '@paved/model';
import { eachStore } from '../testing.js';
import { fakeClock, newInstance, seedTeam } from '../test-fixtures.js';
import type { Store } from '../types.js';

/** The values of fulfilled outcomes; throws if any was refused. */
function created(outcomes: PromiseSettledResult<Instance>[]): Instance[] {
  return outcomes.map((o) => {
    if (o.status === 'rejected') throw o.reason;
    return o.value;
  });
}

/** Every instance of the team and every event about them: what a refused request must not have left. */
async function written(store: Store, teamId: string) {
  const instances = (await store.listInstances({ teamIds: [teamId], limit: 200 })).items;
  const events = (await store.listEvents({ teamId, limit: 500 })).items;
  return { names: instances.map((i) => i.name), eventNames: events.map((e) => (e.data as { name?: string }).name) };
}

eachStore('store: createInstances', (open) => {
  it('creates each request as createInstance does, in order: rows, events, measures, due now', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store, 'payments');
    const first = await store.createInstance(newInstance(team, 'first'));
    const inputs = ['b', 'a', 'c'].map((name) => newInstance(team, name, { inputs: { size: name } }));
    const instances = created(await store.createInstances(inputs));
    expect(instances.map((i) => [i.id, i.name, i.teamName, i.inputs, i.status.phase, i.generation])).toEqual(
      inputs.map((input) => [input.id, input.name, 'payments', { size: input.name }, 'Pending', 1]),
    );
    for (const instance of instances) expect(await store.getInstance(instance.id)).toEqual(instance);
    // Listed in the order asked, after the instance before them and before the one after.
    const last = await store.createInstance(newInstance(team, 'last'));
    expect((await written(store, team.id)).names).toEqual(['first', 'b', 'a', 'c', 'last']);
    const events = await store.listEvents({ teamId: team.id, kinds: ['instance.requested'] });
    expect(events.items.map((e) => [e.instanceId, e.actor])).toEqual([first.id, ...inputs.map((i) => i.id), last.id].map((id) => [id, 'alice']));
    expect(await store.nextDueAt()).toBe(clock.now());
    expect((await store.requestOutcomes({ since: clock.now(), until: clock.now() + 1 })).map((r) => r.requested)).toEqual([5]);
  });

  it('refuses a name taken, before or earlier in the batch, a missing team and a quota passed, and writes nothing of them', async () => {
    const store = await open();
    const team = await seedTeam(store);
    await store.createInstance(newInstance(team, 'taken', { plan: 'large' }));
    const quota = { max: 2 };
    const outcomes = await store.createInstances([
      newInstance(team, 'taken'),
      newInstance(team, 'one', { plan: 'large', quota }),
      newInstance(team, 'one'),
      newInstance({ ...team, id: 'no-such-team' }, 'lost'),
      newInstance(team, 'two', { plan: 'large', quota }),
      newInstance(team, 'small', { plan: 'small', quota }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined));
    expect(reasons[0]).toBeInstanceOf(ConflictError);
    expect(reasons[2]).toMatchObject({ code: 'instance_exists' });
    expect(reasons[3]).toBeInstanceOf(NotFoundError);
    // 'taken' and 'one' already use the quota of two postgres/large.
    expect(reasons[4]).toBeInstanceOf(QuotaError);
    expect((reasons[4] as QuotaError).message).toContain('already has 2 postgres instance(s) on plan large');
    expect(await written(store, team.id)).toEqual({ names: ['taken', 'one', 'small'], eventNames: ['taken', 'one', 'small'] });
  });

  it('never passes a quota, whatever batches and single requests run at once', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const quota = { max: 7 };
    const batch = (prefix: string) => store.createInstances(Array.from({ length: 4 }, (_, i) => newInstance(team, `${prefix}${i}`, { quota })));
    const single = (name: string) => store.createInstance(newInstance(team, name, { quota })).then(
      (value) => ({ status: 'fulfilled' as const, value }), (reason: unknown) => ({ status: 'rejected' as const, reason }),
    );
    const outcomes = (await Promise.all([batch('a'), single('s1'), batch('b'), single('s2'), batch('c'), single('s3')])).flat();
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(7);
    const refusals = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refusals).toHaveLength(8);
    for (const refusal of refusals) expect(refusal.reason).toBeInstanceOf(QuotaError);
    expect(await store.countInstances({ teamId: team.id })).toBe(7);
  });

  it('when the batch\'s transaction fails, tries each request alone: the others are created whole, the failing one not at all', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const existing = await store.createInstance(newInstance(team, 'existing'));
    // A caller-chosen id used already: the multi-row insert fails and takes the batch's transaction with it.
    const outcomes = await store.createInstances([newInstance(team, 'x'), newInstance(team, 'reused', { id: existing.id }), newInstance(team, 'y')]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(await written(store, team.id)).toEqual({ names: ['existing', 'x', 'y'], eventNames: ['existing', 'x', 'y'] });
  });

  it('a batch larger than one statement (PostgreSQL sends it in several) failing in a later statement leaves nothing of the earlier ones', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const existing = await store.createInstance(newInstance(team, 'existing'));
    const inputs = Array.from({ length: 300 }, (_, i) => (i === 280 ? newInstance(team, 'reused', { id: existing.id }) : newInstance(team, `n${String(i).padStart(3, '0')}`)));
    const outcomes = await store.createInstances(inputs);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
    expect(outcomes[280]?.status).toBe('rejected');
    const names = inputs.filter((_, i) => i !== 280).map((input) => input.name);
    const all = (await store.listInstances({ teamIds: [team.id], limit: 500 })).items.map((i) => i.name);
    expect(all).toEqual(['existing', ...names]);
    const events = (await store.listEvents({ teamId: team.id, kinds: ['instance.requested'], limit: 500 })).items;
    expect(events.map((e) => (e.data as { name: string }).name)).toEqual(['existing', ...names]);
    expect((await store.requestOutcomes({ since: 0, until: Date.now() + 60_000 })).reduce((n, r) => n + r.requested, 0)).toBe(300);
  });

  it('records an outsider\'s requests as interventions, a member\'s not', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store);
    const alice = await store.createUser({ name: 'alice', admin: false });
    await store.createUser({ name: 'root', admin: true });
    await store.setMembership({ teamId: team.id, userId: alice.id, role: 'member' });
    created(await store.createInstances([
      newInstance(team, 'mine'), newInstance(team, 'for-them', { createdBy: 'root' }), newInstance(team, 'mine-too'), newInstance(team, 'again', { createdBy: 'root' }),
    ]));
    const interventions = await store.listInterventions({ product: 'postgres', kinds: ['act-for-team'] });
    expect(interventions.items.map((i) => [i.instanceName, i.actor]).sort()).toEqual([['again', 'root'], ['for-them', 'root']]);
  });

  it('stores and answers any text as given: quotes, backslashes, unicode, JSON in inputs', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const odd = 'a "quoted" \\ back\\slash, \'single\', ünïcødé ✓, tab\tand\nnewline';
    const inputs = [
      newInstance(team, 'ünïcødé-✓', { inputs: { text: odd, nested: { list: [1, null, 'x'] }, big: 9_007_199_254_740_991 } }),
      newInstance(team, 'plain', { environment: 'staging' }),
    ];
    const instances = created(await store.createInstances(inputs));
    expect(instances[0]!.inputs).toEqual(inputs[0]!.inputs);
    expect(instances[0]!.name).toBe('ünïcødé-✓');
    // Each answer is what a read of the stored row gives.
    for (const instance of instances) expect(await store.getInstance(instance.id)).toEqual(instance);
    // A name stored so is found taken by the next batch.
    const again = await store.createInstances([newInstance(team, 'ünïcødé-✓')]);
    expect(again[0]!.status).toBe('rejected');
  });

  it('answers an empty batch with nothing', async () => {
    const store = await open();
    expect(await store.createInstances([])).toEqual([]);
  });
});

