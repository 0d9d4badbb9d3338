import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, type EventKind, type Instance, type Team } from '@paved/model';
import { eachStore } from '../testing.js';
import { fakeClock, newInstance, seedTeam } from '../test-fixtures.js';
import type { NewInstance, Store } from '../types.js';
import { weekStartOf } from './measures.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 2026-01-05 00:00 UTC: the first day of a measuring week. */
const T0 = Date.UTC(2026, 0, 5);

/** What the engine does when a pass ends in `phase`: claim the instance, record the status with its event, release. */
async function engineRecords(store: Store, instance: Instance, phase: 'Ready' | 'Failed', kind: EventKind): Promise<void> {
  const claimed = await store.claimDue({ owner: 'test', leaseMs: HOUR, limit: 100 });
  const mine = claimed.find((c) => c.instance.id === instance.id);
  for (const other of claimed) if (other !== mine) await store.releaseLease(other.instance.id, other.leaseToken);
  if (!mine) throw new Error(`${instance.name} was not due`);
  const outcome = await store.recordStatus(instance.id, mine.leaseToken, {
    status: { phase, conditions: [] },
    engine: { dueAt: T0 + 365 * DAY },
    events: [{ kind, teamId: instance.teamId, instanceId: instance.id }],
  });
  expect(outcome).toBe('changed');
  await store.releaseLease(instance.id, mine.leaseToken);
}

/** The test's world, built at hand-picked times (every expected value below is worked out from these). */
async function world(open: (o: { now: () => number }) => Promise<Store>) {
  const clock = fakeClock(T0);
  const store = await open({ now: clock.now });
  const a = await seedTeam(store, 'alpha');
  clock.set(T0 + HOUR);
  const b = await seedTeam(store, 'beta');
  clock.set(T0);
  const alice = await store.createUser({ name: 'alice', admin: false });
  const bob = await store.createUser({ name: 'bob', admin: false });
  await store.createUser({ name: 'root', admin: true });
  await store.setMembership({ teamId: a.id, userId: alice.id, role: 'member' });
  await store.setMembership({ teamId: b.id, userId: bob.id, role: 'member' });
  const web = await store.createService({ teamId: a.id, name: 'web', description: '', lifecycle: 'production' });
  clock.set(T0 + HOUR);
  const api = await store.createService({ teamId: b.id, name: 'api', description: '', lifecycle: 'production' });

  const at = (ms: number) => clock.set(T0 + ms);
  const request = (team: Team, name: string, version: string, overrides: Partial<NewInstance> = {}) =>
    store.createInstance(newInstance(team, name, { product: 'pg', productVersion: version, createdBy: team === a ? 'alice' : 'bob', ...overrides }));

  // alpha: a1 and a2 (1.0.0) Ready in 10 s and 30 s; a2 belongs to service web.
  at(0);
  const a1 = await request(a, 'a1', '1.0.0');
  at(10_000);
  await engineRecords(store, a1, 'Ready', 'instance.ready');
  at(MIN);
  const a2 = await request(a, 'a2', '1.0.0', { workload: { serviceId: web.id, environment: 'dev', resource: 'db', shared: false } });
  at(MIN + 30_000);
  await engineRecords(store, a2, 'Ready', 'instance.ready');
  // a3 (2.0.0) fails first; root, an admin outside alpha, retries it twice in a row; Ready 120 s after the request.
  at(2 * MIN);
  const a3 = await request(a, 'a3', '2.0.0');
  at(2 * MIN + 5_000);
  await engineRecords(store, a3, 'Failed', 'instance.failed');
  at(3 * MIN);
  await store.requestReconcile(a3.id, 'root');
  at(3 * MIN + 10_000);
  await store.requestReconcile(a3.id, 'root');
  at(4 * MIN);
  await engineRecords(store, a3, 'Ready', 'instance.ready');
  // alice retrying her own team's instance is no intervention.
  await store.requestReconcile(a1.id, 'alice');

  // beta: b1 Ready in 20 s; b2 asked for by root and deleted by root a second later (one intervention); b3 pending.
  at(HOUR + MIN);
  const b1 = await request(b, 'b1', '2.0.0');
  at(HOUR + MIN + 20_000);
  await engineRecords(store, b1, 'Ready', 'instance.ready');
  at(HOUR + 2 * MIN);
  const b2 = await request(b, 'b2', '2.0.0', { createdBy: 'root' });
  at(HOUR + 2 * MIN + 1_000);
  await store.requestDeletion(b2.id, 'root');
  const claimed = (await store.claimDue({ owner: 'test', leaseMs: HOUR, limit: 100 })).find((c) => c.instance.id === b2.id)!;
  expect(await store.forgetInstance(b2.id, claimed.leaseToken)).toBe('changed');
  at(HOUR + 3 * MIN);
  const b3 = await request(b, 'b3', '2.0.0');

  at(3 * HOUR);
  await store.deleteService(api.id);
  at(2 * DAY);
  return { store, clock, a, b, alice, bob, web, api, a1, a2, a3, b1, b2, b3 };
}

const WHOLE = { since: T0, until: T0 + 7 * DAY };

eachStore('store: measures', (open) => {
  it('counts requests by first outcome, per product version', async () => {
    const { store } = await world(open);
    expect(await store.requestOutcomes(WHOLE)).toEqual([
      { product: 'pg', version: '1.0.0', requested: 2, ready: 2, failed: 0, abandoned: 0 },
      // a3 failed before it was Ready; b2 was deleted before either; b3 is still pending.
      { product: 'pg', version: '2.0.0', requested: 4, ready: 1, failed: 1, abandoned: 1 },
    ]);
    // The window is by request time: only a1, a2 and a3 were asked for in the first hour.
    expect(await store.requestOutcomes({ since: T0, until: T0 + HOUR })).toEqual([
      { product: 'pg', version: '1.0.0', requested: 2, ready: 2, failed: 0, abandoned: 0 },
      { product: 'pg', version: '2.0.0', requested: 1, ready: 0, failed: 1, abandoned: 0 },
    ]);
    expect(await store.requestOutcomes(WHOLE, { products: ['other'] })).toEqual([]);
  });

  it('ranks request-to-Ready times: nearest-rank p50 and p95, per product and per version', async () => {
    const { store, b } = await world(open);
    // Ready requests: a1 10 s, b1 20 s, a2 30 s, a3 120 s. p50 = 2nd of 4, p95 = 4th of 4.
    expect(await store.timeToReady(WHOLE, 'product')).toEqual([{ product: 'pg', count: 4, p50Ms: 20_000, p95Ms: 120_000 }]);
    expect(await store.timeToReady(WHOLE, 'version')).toEqual([
      { product: 'pg', version: '1.0.0', count: 2, p50Ms: 10_000, p95Ms: 30_000 },
      { product: 'pg', version: '2.0.0', count: 2, p50Ms: 20_000, p95Ms: 120_000 },
    ]);
    expect(await store.timeToReady(WHOLE, 'product', { teamIds: [b.id] })).toEqual([{ product: 'pg', count: 1, p50Ms: 20_000, p95Ms: 20_000 }]);
  });

  it('counts live instances and adopting teams now, and each team\'s first Ready', async () => {
    const { store, a, b } = await world(open);
    expect(await store.liveInstances('product')).toEqual([{ product: 'pg', instances: 5, teams: 2 }]);
    expect(await store.liveInstances('version')).toEqual([
      { product: 'pg', version: '1.0.0', instances: 2, teams: 1 },
      { product: 'pg', version: '2.0.0', instances: 3, teams: 2 },
    ]);
    const first = await store.firstReadyByTeam();
    expect(first.map((r) => [r.teamId, Date.parse(r.teamCreatedAt) - T0, r.firstReadyAt - T0]).sort()).toEqual([
      [a.id, 0, 10_000],
      [b.id, HOUR, HOUR + MIN + 20_000],
    ].sort());
  });

  it('measures adoption at each cut-off, deleted services counted while they existed', async () => {
    const { store, a } = await world(open);
    const cutoffs = [T0 + 30 * MIN, T0 + 2 * HOUR, T0 + 4 * HOUR, T0 - DAY];
    expect(await store.adoptionAt(cutoffs)).toEqual([
      { at: T0 + 30 * MIN, services: 1, adopted: 1 },
      { at: T0 + 2 * HOUR, services: 2, adopted: 1 },
      { at: T0 + 4 * HOUR, services: 1, adopted: 1 },
      { at: T0 - DAY, services: 0, adopted: 0 },
    ]);
    expect(await store.adoptionAt([T0 + 2 * HOUR], { teamIds: [a.id] })).toEqual([{ at: T0 + 2 * HOUR, services: 1, adopted: 1 }]);
  });

  it('records an outsider\'s acts on a team\'s requests as interventions, repeats within a minute once', async () => {
    const { store, a } = await world(open);
    expect(await store.interventionCounts(WHOLE)).toEqual([
      { teamName: 'alpha', weekStart: T0, kind: 'retry', count: 1 },
      { teamName: 'beta', weekStart: T0, kind: 'act-for-team', count: 1 },
    ]);
    expect(await store.interventionCounts(WHOLE, { teamIds: [a.id] })).toEqual([{ teamName: 'alpha', weekStart: T0, kind: 'retry', count: 1 }]);
    // Four requests reached Ready in the week; a3 only after root stepped in.
    expect(await store.unassistedReady(WHOLE)).toEqual([{ weekStart: T0, ready: 4, unassisted: 3 }]);
  });

  it('records an intervention against a request from code, a part\'s against its composite', async () => {
    const { store, clock, a } = await world(open);
    const parent = await store.createInstance(newInstance(a, 'stack', { product: 'stack', createdBy: 'alice' }));
    const part = await store.createInstance(newInstance(a, 'stack-db', { product: 'pg', createdBy: 'alice', parent: { id: parent.id, part: 'db' } }));
    const recorded = await store.recordIntervention({ instanceId: part.id, kind: 'help', actor: 'alice', note: 'stuck in Provisioning' });
    expect(recorded).toMatchObject({
      at: clock.now(), teamId: a.id, teamName: 'alpha', product: 'stack', instanceId: parent.id, instanceName: 'stack', kind: 'help', actor: 'alice', note: 'stuck in Provisioning',
    });
    // root retrying the part is one retry of the composite request; the parts of a composite are not requests.
    await store.requestReconcile(part.id, 'root');
    await store.requestReconcile(parent.id, 'root');
    expect((await store.interventionCounts({ since: clock.now(), until: clock.now() + 1 }))).toEqual([
      { teamName: 'alpha', weekStart: weekStartOf(clock.now()), kind: 'help', count: 1 },
      { teamName: 'alpha', weekStart: weekStartOf(clock.now()), kind: 'retry', count: 1 },
    ]);
    expect((await store.requestOutcomes({ since: clock.now(), until: clock.now() + 1 })).map((r) => r.product)).toEqual(['stack']);
    const help = await store.listInterventions({ product: 'stack', kinds: ['help'] });
    expect(help.items.map((i) => [i.instanceName, i.note])).toEqual([['stack', 'stuck in Provisioning']]);
    await expect(store.recordIntervention({ instanceId: 'no-such-id', kind: 'help' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists a product\'s interventions newest first, page by page, with the name of a forgotten instance', async () => {
    const { store, b2 } = await world(open);
    const first = await store.listInterventions({ product: 'pg', kinds: ['retry', 'act-for-team'], limit: 1 });
    expect(first.items.map((i) => [i.instanceName, i.kind])).toEqual([['b2', 'act-for-team']]);
    expect(first.items[0]!.instanceId).toBe(b2.id);
    const second = await store.listInterventions({ product: 'pg', kinds: ['retry', 'act-for-team'], limit: 1, cursor: first.nextCursor! });
    expect(second.items.map((i) => [i.instanceName, i.kind, i.actor])).toEqual([['a3', 'retry', 'root']]);
    expect(second.nextCursor).toBeUndefined();
  });

  it('counts the queue: due and waiting, and being reconciled under a live lease', async () => {
    const clock = fakeClock(T0);
    const store = await open({ now: clock.now });
    const team = await seedTeam(store, 'q');
    await store.createInstance(newInstance(team, 'one'));
    await store.createInstance(newInstance(team, 'two'));
    expect(await store.queueDepth()).toEqual({ due: 2, leased: 0 });
    await store.claimDue({ owner: 'w', leaseMs: MIN, limit: 1 });
    expect(await store.queueDepth()).toEqual({ due: 1, leased: 1 });
    clock.advance(2 * MIN);
    expect(await store.queueDepth()).toEqual({ due: 2, leased: 0 });
  });
});

eachStore('store: feedback', (open) => {
  it('keeps scores per week and comments newest first, once per person and instance', async () => {
    const { store, clock, alice, bob, a, a1 } = await world(open);
    clock.set(T0 + DAY);
    await store.recordFeedback({ product: 'pg', version: '1.0.0', userId: alice.id, teamId: a.id, instanceId: a1.id, score: 4, comment: 'quick' });
    await expect(store.recordFeedback({ product: 'pg', userId: alice.id, teamId: a.id, instanceId: a1.id, score: 1, comment: '' }))
      .rejects.toSatisfy((e) => e instanceof ConflictError && e.code === 'feedback_exists');
    await store.recordFeedback({ product: 'pg', userId: bob.id, score: 2, comment: '' });
    clock.set(T0 + 8 * DAY);
    await store.recordFeedback({ product: 'pg', userId: bob.id, score: 5, comment: 'great' });
    await store.recordFeedback({ product: 'other', userId: bob.id, score: 1, comment: 'not this one' });

    expect(await store.satisfaction('pg', { since: T0, until: T0 + 14 * DAY })).toEqual([
      { weekStart: T0, score: 2, count: 1 },
      { weekStart: T0, score: 4, count: 1 },
      { weekStart: T0 + 7 * DAY, score: 5, count: 1 },
    ]);
    const comments = await store.listFeedbackComments({ product: 'pg', limit: 1 });
    expect(comments.items.map((c) => [c.comment, c.score, c.teamName])).toEqual([['great', 5, undefined]]);
    const older = await store.listFeedbackComments({ product: 'pg', cursor: comments.nextCursor! });
    expect(older.items.map((c) => [c.comment, c.score, c.teamName, c.version])).toEqual([['quick', 4, 'alpha', '1.0.0']]);
  });
});

describe('weekStartOf', () => {
  it('is the Monday 00:00 UTC of the week', () => {
    expect(weekStartOf(T0)).toBe(T0);
    expect(weekStartOf(T0 + 6 * DAY + 23 * HOUR)).toBe(T0);
    expect(weekStartOf(T0 + 7 * DAY)).toBe(T0 + 7 * DAY);
    expect(weekStartOf(T0 - 1)).toBe(T0 - 7 * DAY);
  });
});
