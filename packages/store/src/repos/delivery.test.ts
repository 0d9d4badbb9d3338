import { expect, it } from 'vitest';
import { eachStore, openAnother } from '../testing.js';
import type { DeliveryFact, DeliveryRules, DoraFactsQuery, Store } from '../types.js';

/**
 * Delivery facts through the store: de-duplication, order-independence, and the links between
 * deployments and changes (docs/metrics/dora.md), on SQLite and PostgreSQL. The times follow the
 * worked example of docs/metrics/dora.md ("demo-api"), all UTC.
 */

const rules: DeliveryRules = {
  isProduction: (env) => /prod/i.test(env),
  isIncident: (labels) => labels.some((l) => /^incident$/i.test(l)),
  fingerprint: 'prod|incident',
};
const repo = { host: 'github.com', path: 'acme/demo-api', name: 'acme/demo-api', defaultBranch: 'main' };
const t = (iso: string) => Date.parse(iso);

const push = (branch: string, before: string, after: string, commits: [string, string, boolean?][]): DeliveryFact => ({
  kind: 'push', repo, branch, before, after, commits: commits.map(([sha, at, distinct]) => ({ sha, at: t(at), distinct: distinct ?? true })),
});
const status = (id: string, environment: string, sha: string, state: 'success' | 'failure' | 'pending' | 'inactive', at: string, seq = 0): DeliveryFact => ({
  kind: 'deployment-status', repo, source: 'github', id, environment, sha, ref: 'main', startedAt: t(at) - 60_000, state, at: t(at), seq,
});
const pr = (number: number, head: string, merge: string | undefined, opened: string, merged: string | undefined): DeliveryFact => ({
  kind: 'change', repo, source: 'github', id: String(number), headBranch: head, mergeSha: merge, state: merged ? 'merged' : 'open',
  openedAt: t(opened), ...(merged ? { mergedAt: t(merged) } : {}), at: t(merged ?? opened),
});
const issue = (number: number, labels: string[], created: string, closed: string | undefined, at: string): DeliveryFact => ({
  kind: 'issue', repo, source: 'github', id: String(number), labels, state: closed ? 'closed' : 'open', createdAt: t(created), ...(closed ? { resolvedAt: t(closed) } : {}), at: t(at),
});

let deliveries = 0;
async function deliver(store: Store, ...facts: DeliveryFact[]): Promise<'recorded' | 'duplicate'> {
  return store.recordDelivery({ source: 'github', deliveryId: `d-${++deliveries}`, event: 'test', facts }, rules);
}

/** The example's history, in the order the events happened. */
const history: DeliveryFact[][] = [
  [push('main', '0000000000', 'M0', [['M0', '2025-01-06T09:00:00Z']])],
  [status('8000', 'production', 'M0', 'success', '2025-01-06T10:00:00Z', 1)],
  [push('feat/a', '0000000000', 'c2', [['c1', '2025-01-06T12:00:00+01:00'], ['c2', '2025-01-07T09:00:00Z']])],
  [pr(1, 'feat/a', 'M1', '2025-01-07T09:30:00Z', '2025-01-07T12:00:00Z')],
  [push('main', 'M0', 'M1', [['c1', '2025-01-06T11:00:00Z', false], ['c2', '2025-01-07T09:00:00Z', false], ['M1', '2025-01-07T12:00:00Z']])],
  [status('8001', 'staging', 'M1', 'success', '2025-01-07T12:10:00Z', 2)],
  [push('feat/b', '0000000000', 'c3', [['c3', '2025-01-07T13:00:00Z']])],
  [pr(2, 'feat/b', 'M2', '2025-01-07T13:10:00Z', '2025-01-08T09:00:00Z')],
  [push('main', 'M1', 'M2', [['c3', '2025-01-07T13:00:00Z', false], ['M2', '2025-01-08T09:00:00Z']])],
  [status('8002', 'production', 'M2', 'pending', '2025-01-08T10:01:00Z', 3)],
  [status('8002', 'production', 'M2', 'success', '2025-01-08T10:05:00Z', 4)],
  [issue(3, ['Incident'], '2025-01-08T14:00:00Z', undefined, '2025-01-08T14:00:00Z')],
  [push('feat/c', '0000000000', 'c4', [['c4', '2025-01-08T15:00:00Z']])],
  [pr(4, 'feat/c', 'M4', '2025-01-08T15:05:00Z', '2025-01-08T15:30:00Z')],
  [push('main', 'M2', 'M4', [['c4', '2025-01-08T15:00:00Z', false], ['M4', '2025-01-08T15:30:00Z']])],
  [status('8003', 'production', 'M4', 'success', '2025-01-08T15:45:00Z', 5)],
  [issue(3, ['Incident'], '2025-01-08T14:00:00Z', '2025-01-08T18:30:00Z', '2025-01-08T18:30:00Z')],
];

async function query(store: Store, from = '2025-01-06T00:00:00Z', to = '2025-01-13T00:00:00Z'): Promise<DoraFactsQuery> {
  const repositoryIds = (await store.listDeliveryRepositories()).map((r) => r.id);
  return { services: [{ key: 'acme/demo-api', repositoryIds }], fromMs: t(from), toMs: t(to), offsets: [{ fromMs: t(from), toMs: t(to), offsetMs: 0 }] };
}

const DAY = (iso: string) => Math.floor(t(iso) / 86_400_000);

eachStore('delivery facts', (open) => {
  it('links changes to the deployment that shipped them, whatever order the deliveries arrive in', async () => {
    const inOrder = await open();
    for (const facts of history) await deliver(inOrder, ...facts);
    const reversed = await open();
    for (const facts of [...history].reverse()) await deliver(reversed, ...facts);

    for (const store of [inOrder, reversed]) {
      const facts = await store.doraFacts(await query(store));
      // D0 (01-06), D1 and D2 (01-08) shipped; D0 is the repository's first and ships nothing.
      expect(facts.days).toEqual([
        { day: DAY('2025-01-06T00:00:00Z'), deployments: 1, withoutChanges: 1 },
        { day: DAY('2025-01-08T00:00:00Z'), deployments: 2, withoutChanges: 0 },
      ]);
      // PR cycle times (first commit → opened → merged → deployed, each rounded up to minutes):
      // #1 1350 + 150 + 1325 = 2825 (shipped by D1 through M0..M2); #2 10 + 1190 + 65 = 1265; #4 5 + 25 + 15 = 45.
      expect(facts.leadTimes).toEqual([{ minutes: 45, count: 1 }, { minutes: 1265, count: 1 }, { minutes: 2825, count: 1 }]);
      // Issue #3 (14:00) counts against D1 (10:05), the last production deployment before it.
      expect(facts.incidents).toHaveLength(1);
      expect(facts.incidents[0]).toMatchObject({ id: '3', createdMs: t('2025-01-08T14:00:00Z'), resolvedMs: t('2025-01-08T18:30:00Z'), deploymentShippedMs: t('2025-01-08T10:05:00Z') });
      // D2 (15:45) finished while #3 was open (14:00–18:30).
      expect(facts.reworked).toBe(1);
      expect(facts.withoutChanges).toEqual([{ service: 'acme/demo-api', id: '8000', environment: 'production', finishedMs: t('2025-01-06T10:00:00Z') }]);
    }
  });

  it('records a delivery once: a redelivery with the same id changes nothing', async () => {
    const store = await open();
    const fact = status('9', 'production', 'abc', 'success', '2025-01-06T10:00:00Z');
    expect(await store.recordDelivery({ source: 'github', deliveryId: 'same', event: 'deployment_status', facts: [fact] }, rules)).toBe('recorded');
    expect(await store.recordDelivery({ source: 'github', deliveryId: 'same', event: 'deployment_status', facts: [status('9', 'production', 'abc', 'failure', '2025-01-06T11:00:00Z')] }, rules)).toBe('duplicate');
    const facts = await store.doraFacts(await query(store));
    expect(facts.days).toEqual([{ day: DAY('2025-01-06T00:00:00Z'), deployments: 1, withoutChanges: 1 }]);
  });

  it('decides a deployment by its latest status time, not by arrival', async () => {
    const store = await open();
    // Statuses delivered newest first: the success at 11:00 is the latest, so it counts.
    await deliver(store, status('1', 'production', 'a', 'success', '2025-01-06T11:00:00Z', 3));
    await deliver(store, status('1', 'production', 'a', 'failure', '2025-01-06T10:30:00Z', 2));
    await deliver(store, status('1', 'production', 'a', 'pending', '2025-01-06T10:00:00Z', 1));
    // A deployment that failed last stays failed, whatever arrives after.
    await deliver(store, status('2', 'prod-eu', 'b', 'failure', '2025-01-07T10:30:00Z', 5));
    await deliver(store, status('2', 'prod-eu', 'b', 'success', '2025-01-07T10:00:00Z', 4));
    // Superseded later by a newer deployment: still a success, finished at its success.
    await deliver(store, status('3', 'production', 'c', 'inactive', '2025-01-09T10:00:00Z', 7));
    await deliver(store, status('3', 'production', 'c', 'success', '2025-01-08T10:00:00Z', 6));
    const facts = await store.doraFacts(await query(store));
    expect(facts.days.map((d) => d.day)).toEqual([DAY('2025-01-06T00:00:00Z'), DAY('2025-01-08T00:00:00Z')]);
  });

  it('ships nothing on a rollback, and the next deployment does not re-count what was shipped', async () => {
    const store = await open();
    await deliver(store, push('main', '0', 'A', [['A', '2025-01-06T08:00:00Z']]));
    await deliver(store, status('1', 'production', 'A', 'success', '2025-01-06T09:00:00Z'));
    await deliver(store, push('feat/x', '0', 'x1', [['x1', '2025-01-06T09:30:00Z']]));
    await deliver(store, push('main', 'A', 'B', [['x1', '2025-01-06T09:30:00Z', false], ['B', '2025-01-06T10:00:00Z']]));
    await deliver(store, pr(10, 'feat/x', 'B', '2025-01-06T09:40:00Z', '2025-01-06T10:00:00Z'));
    await deliver(store, status('2', 'production', 'B', 'success', '2025-01-06T11:00:00Z'));
    await deliver(store, status('3', 'production', 'A', 'success', '2025-01-06T12:00:00Z')); // rollback to A
    await deliver(store, push('main', 'B', 'C', [['C', '2025-01-06T12:30:00Z']]));
    await deliver(store, status('4', 'production', 'C', 'success', '2025-01-06T13:00:00Z'));
    const facts = await store.doraFacts(await query(store));
    // PR #10 counts once, against deployment 2: 9:30 → 9:40 (10) → 10:00 (20) → 11:00 (60).
    expect(facts.leadTimes).toEqual([{ minutes: 90, count: 1 }]);
    // Deployments 1 (first), 3 (rollback) and 4 (C, a direct push with no change) have no change.
    expect(facts.days).toEqual([{ day: DAY('2025-01-06T00:00:00Z'), deployments: 4, withoutChanges: 3 }]);
  });

  it('links a deployment again when the push it was missing arrives', async () => {
    const store = await open();
    await deliver(store, status('1', 'production', 'A', 'success', '2025-01-06T09:00:00Z'));
    await deliver(store, pr(5, 'feat/y', 'B', '2025-01-06T09:10:00Z', '2025-01-06T09:20:00Z'));
    await deliver(store, status('2', 'production', 'B', 'success', '2025-01-06T10:00:00Z'));
    let facts = await store.doraFacts(await query(store));
    expect(facts.leadTimes).toEqual([]);
    await deliver(store, push('main', 'A', 'B', [['B', '2025-01-06T09:20:00Z']]));
    facts = await store.doraFacts(await query(store));
    // No commit on feat/y is known: opened → merged (10) + merged → deployed (40).
    expect(facts.leadTimes).toEqual([{ minutes: 50, count: 1 }]);
  });

  it('moves changes to a deployment that arrives late but finished earlier', async () => {
    const store = await open();
    await deliver(store, push('main', '0', 'A', [['A', '2025-01-06T08:00:00Z']]));
    await deliver(store, push('main', 'A', 'B', [['B', '2025-01-06T09:00:00Z']]));
    await deliver(store, push('main', 'B', 'C', [['C', '2025-01-06T10:00:00Z']]));
    await deliver(store, pr(1, 'f1', 'B', '2025-01-06T08:30:00Z', '2025-01-06T09:00:00Z'));
    await deliver(store, pr(2, 'f2', 'C', '2025-01-06T09:30:00Z', '2025-01-06T10:00:00Z'));
    await deliver(store, status('1', 'production', 'A', 'success', '2025-01-06T08:10:00Z'));
    await deliver(store, status('3', 'production', 'C', 'success', '2025-01-06T12:00:00Z'));
    let facts = await store.doraFacts(await query(store));
    // Deployment 3 ships B and C: #1 30 + 180 = 210, #2 30 + 120 = 150.
    expect(facts.leadTimes).toEqual([{ minutes: 150, count: 1 }, { minutes: 210, count: 1 }]);
    // Deployment 2 of B finished at 11:00 but is delivered last: #1 now belongs to it.
    await deliver(store, status('2', 'production', 'B', 'success', '2025-01-06T11:00:00Z'));
    facts = await store.doraFacts(await query(store));
    // #1: 30 + 120 (deployment 2); #2: 30 + 120 (deployment 3, which now ships C only).
    expect(facts.leadTimes).toEqual([{ minutes: 150, count: 2 }]);
    expect(facts.days[0]).toMatchObject({ deployments: 3, withoutChanges: 1 });
  });

  it('keeps the latest state of an issue, and re-derives incidents and production when the rules change', async () => {
    const store = await open();
    await deliver(store, status('1', 'production', 'A', 'success', '2025-01-06T09:00:00Z'));
    await deliver(store, status('2', 'live', 'B', 'success', '2025-01-07T09:00:00Z'));
    // Labelled Incident after it was opened; an older event (opened, no label) arrives last.
    await deliver(store, issue(7, ['bug', 'Incident'], '2025-01-06T12:00:00Z', undefined, '2025-01-06T12:30:00Z'));
    await deliver(store, issue(7, ['bug'], '2025-01-06T12:00:00Z', undefined, '2025-01-06T12:00:00Z'));
    await deliver(store, issue(8, ['Sev1'], '2025-01-07T12:00:00Z', '2025-01-07T13:00:00Z', '2025-01-07T13:00:00Z'));
    let facts = await store.doraFacts(await query(store));
    expect(facts.incidents.map((i) => i.id)).toEqual(['7']);
    expect(facts.days).toHaveLength(1);

    const wider: DeliveryRules = { isProduction: (env) => /prod|live/i.test(env), isIncident: (labels) => labels.some((l) => /^(incident|sev1)$/i.test(l)), fingerprint: 'prod|live|incident|sev1' };
    expect(await store.applyDeliveryRules(wider)).toBe(true);
    expect(await store.applyDeliveryRules(wider)).toBe(false);
    facts = await store.doraFacts(await query(store));
    expect(facts.incidents.map((i) => [i.id, i.deploymentShippedMs])).toEqual([['7', t('2025-01-06T09:00:00Z')], ['8', t('2025-01-07T09:00:00Z')]]);
    expect(facts.days).toHaveLength(2);
  });

  it('links changes named by the API to their deployment, in either order', async () => {
    const store = await open();
    const api = { host: 'paved', path: 'shop/cart', name: 'shop/cart' };
    await store.recordDelivery({ source: 'api', event: 'change', facts: [{ kind: 'change', repo: api, source: 'api', recordedBy: 'team-shop', id: 'C-1', state: 'merged', firstCommitAt: t('2025-01-06T08:00:00Z'), mergedAt: t('2025-01-06T09:00:00Z'), deployment: 'D-2', at: 0, replace: true }] }, rules);
    await store.recordDelivery({ source: 'api', event: 'deployment', facts: [{ kind: 'deployment-status', repo: api, source: 'api', recordedBy: 'team-shop', id: 'D-1', environment: 'production', state: 'success', at: t('2025-01-06T07:00:00Z'), seq: 0, replace: true }] }, rules);
    await store.recordDelivery({ source: 'api', event: 'deployment', facts: [{ kind: 'deployment-status', repo: api, source: 'api', recordedBy: 'team-shop', id: 'D-2', environment: 'production', state: 'success', at: t('2025-01-06T10:00:00Z'), seq: 0, replace: true }] }, rules);
    await store.recordDelivery({ source: 'api', event: 'change', facts: [{ kind: 'change', repo: api, source: 'api', recordedBy: 'team-shop', id: 'C-2', state: 'merged', firstCommitAt: t('2025-01-06T09:30:00Z'), mergedAt: t('2025-01-06T09:45:00Z'), deployment: 'D-2', at: 0, replace: true }] }, rules);
    const repositoryIds = (await store.listDeliveryRepositories()).map((r) => r.id);
    const facts = await store.doraFacts({ ...(await query(store)), services: [{ key: 'shop/cart', repositoryIds }] });
    // C-1: 08:00 → 09:00 (60) → 10:00 (60); C-2: 09:30 → 09:45 (15) → 10:00 (15).
    expect(facts.leadTimes).toEqual([{ minutes: 30, count: 1 }, { minutes: 120, count: 1 }]);
    expect(await store.countDeliveryEvents(repositoryIds)).toEqual([{ repositoryId: repositoryIds[0], deployments: 2, changes: 2, incidents: 0 }]);
  });

  it('writes deliveries that arrive together in one transaction, and fails only the one that breaks', async () => {
    const store = await open();
    const broken: DeliveryFact = { ...(issue(1, ['Incident'], '2025-01-06T10:00:00Z', undefined, '2025-01-06T10:00:00Z') as Extract<DeliveryFact, { kind: 'issue' }>), createdAt: Number.NaN };
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 8 }, (_, i) => deliver(store, status(String(i), 'production', `s${i}`, 'success', `2025-01-0${1 + (i % 7)}T10:00:00Z`))),
      deliver(store, broken),
      deliver(store, status('9', 'production', 's9', 'success', '2025-01-08T10:00:00Z')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([...Array(8).fill('fulfilled'), 'rejected', 'fulfilled']);
    const facts = await store.doraFacts(await query(store, '2025-01-01T00:00:00Z', '2025-01-13T00:00:00Z'));
    expect(facts.days.reduce((sum, d) => sum + d.deployments, 0)).toBe(9);
    expect(facts.incidents).toEqual([]);
  });

  it('queues webhook deliveries durably, once each, and applies them as if recorded at once, in any process', async () => {
    const store = await open();
    const queued = [];
    // In reverse order, so applying must resolve order as recording does.
    for (const [i, facts] of [...history].reverse().entries()) queued.push(await store.queueDelivery({ source: 'github', deliveryId: `q-${i}`, event: 'test', facts }));
    expect(queued).toEqual(history.map(() => 'queued'));
    expect(await store.queueDelivery({ source: 'github', deliveryId: 'q-0', event: 'test', facts: history.at(-1)! })).toBe('duplicate');
    const broken: DeliveryFact = { ...(issue(7, ['Incident'], '2025-01-06T10:00:00Z', undefined, '2025-01-06T10:00:00Z') as Extract<DeliveryFact, { kind: 'issue' }>), createdAt: Number.NaN };
    expect(await store.queueDelivery({ source: 'github', deliveryId: 'q-broken', event: 'test', facts: [broken] })).toBe('queued');
    const depth = await store.deliveryInboxDepth();
    expect(depth).toMatchObject({ waiting: history.length + 1, failed: 0 });
    expect(depth.lastWaiting! - depth.oldestWaiting!).toBe(history.length);
    // Nothing is applied before a drain.
    expect(await store.listDeliveryRepositories()).toEqual([]);

    // A pass limited by id takes only those; then another process (as after a restart) applies the rest.
    expect(await store.applyQueuedDeliveries(rules, { limit: 100, upTo: depth.oldestWaiting! })).toEqual({ applied: 1, failed: 0 });
    const other = await openAnother(store);
    let total = { applied: 1, failed: 0 };
    for (;;) {
      const drained = await other.applyQueuedDeliveries(rules, { limit: 5 });
      if (drained.applied + drained.failed === 0) break;
      total = { applied: total.applied + drained.applied, failed: total.failed + drained.failed };
    }
    expect(total).toEqual({ applied: history.length, failed: 1 });
    expect(await store.applyQueuedDeliveries(rules, { limit: 100 })).toEqual({ applied: 0, failed: 0 });
    expect(await store.deliveryInboxDepth()).toEqual({ waiting: 0, failed: 1, oldestWaiting: null, lastWaiting: null });

    // The same as recording them at once in the order they were accepted (store ids included).
    const recorded = await open();
    for (const facts of [...history].reverse()) await deliver(recorded, ...facts);
    expect(await store.doraFacts(await query(store))).toEqual(await recorded.doraFacts(await query(recorded)));
    expect((await store.doraFacts(await query(store))).leadTimes).toEqual([{ minutes: 45, count: 1 }, { minutes: 1265, count: 1 }, { minutes: 2825, count: 1 }]);
  });
});
