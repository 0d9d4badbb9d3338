import { expect, it } from 'vitest';
import { eachStore, runSqlBehindStore } from '../testing.js';
import type { DeliveryFact, DeliveryRules, DoraFactsQuery, Store } from '../types.js';

/**
 * Whose an API record is (migration 0027, repos/delivery-owner.ts): records are kept by
 * repository and any team may register a service with any repository URL, so team A's service
 * `spy`, claiming team B's repository, records under B's repository. A may never rewrite what
 * B recorded there, nor link its changes to B's deployments. On SQLite and PostgreSQL.
 */

const rules: DeliveryRules = { isProduction: (env) => /prod/i.test(env), isIncident: () => false, fingerprint: 'prod|' };
const repo = { host: 'github.com', path: 'acme/payments', name: 'https://github.com/acme/payments' };
const B = 'team-b';
const A = 'team-a';
const t = (iso: string) => Date.parse(iso);

const deployment = (team: string, id: string, environment: string, state: 'success' | 'failure', at: string): DeliveryFact => ({
  kind: 'deployment-status', repo, source: 'api', recordedBy: team, id, environment, state, at: t(at), startedAt: t(at), seq: 0, replace: true,
});
const change = (team: string, id: string, firstCommit: string, merged: string, shippedBy?: string): DeliveryFact => ({
  kind: 'change', repo, source: 'api', recordedBy: team, id, state: 'merged', firstCommitAt: t(firstCommit), mergedAt: t(merged),
  ...(shippedBy === undefined ? {} : { deployment: shippedBy }), at: 0, replace: true,
});
const incident = (team: string, id: string, created: string, resolved?: string): DeliveryFact => ({
  kind: 'issue', repo, source: 'api', recordedBy: team, id, labels: [], incident: true, state: resolved === undefined ? 'open' : 'closed',
  createdAt: t(created), ...(resolved === undefined ? {} : { resolvedAt: t(resolved) }), at: 0, replace: true,
});
const record = (store: Store, fact: DeliveryFact) => store.recordDelivery({ source: 'api', event: 'test', facts: [fact] }, rules);
const taken = { code: 'delivery_id_taken', kind: 'conflict', issues: [{ path: 'id', message: 'is taken by another team' }] };

async function facts(store: Store) {
  const repositoryIds = (await store.listDeliveryRepositories()).map((r) => r.id);
  const [from, to] = [t('2025-01-06T00:00:00Z'), t('2025-01-07T00:00:00Z')];
  const query: DoraFactsQuery = { services: [{ key: 'payments', repositoryIds }], fromMs: from, toMs: to, offsets: [{ fromMs: from, toMs: to, offsetMs: 0 }] };
  return store.doraFacts(query);
}

eachStore('delivery records: whose an API record is', (open) => {
  it("refuses another team's deployment with the same id, and the recording team's metrics stay as they were", async () => {
    const store = await open();
    await record(store, deployment(B, 'D-1', 'production', 'success', '2025-01-06T10:00:00Z'));
    const before = await facts(store);
    expect(before.days).toEqual([{ day: Math.floor(t('2025-01-06T00:00:00Z') / 86_400_000), deployments: 1, withoutChanges: 1 }]);

    await expect(record(store, deployment(A, 'D-1', 'staging', 'failure', '2025-01-06T11:00:00Z'))).rejects.toMatchObject(taken);
    expect(await facts(store)).toEqual(before);

    // The team that recorded it still replaces it.
    await record(store, deployment(B, 'D-1', 'production', 'failure', '2025-01-06T10:30:00Z'));
    expect((await facts(store)).days).toEqual([]);
  });

  it("refuses another team's change with the same id: the lead time stays the recording team's", async () => {
    const store = await open();
    await record(store, deployment(B, 'D-1', 'production', 'success', '2025-01-06T10:00:00Z'));
    await record(store, change(B, 'C-1', '2025-01-06T08:00:00Z', '2025-01-06T09:00:00Z', 'D-1'));
    const before = await facts(store);
    expect(before.leadTimes).toEqual([{ minutes: 120, count: 1 }]);

    await expect(record(store, change(A, 'C-1', '2025-01-06T09:58:00Z', '2025-01-06T09:59:00Z'))).rejects.toMatchObject(taken);
    expect(await facts(store)).toEqual(before);
  });

  it("refuses another team's incident with the same id: it stays open", async () => {
    const store = await open();
    await record(store, deployment(B, 'D-1', 'production', 'success', '2025-01-06T10:00:00Z'));
    await record(store, incident(B, 'INC-1', '2025-01-06T11:00:00Z'));
    const before = await facts(store);
    expect(before.incidents).toMatchObject([{ id: 'INC-1', resolvedMs: null }]);

    await expect(record(store, incident(A, 'INC-1', '2025-01-06T11:00:00Z', '2025-01-06T11:01:00Z'))).rejects.toMatchObject(taken);
    expect(await facts(store)).toEqual(before);
    await record(store, incident(B, 'INC-1', '2025-01-06T11:00:00Z', '2025-01-06T12:00:00Z'));
    expect((await facts(store)).incidents).toMatchObject([{ id: 'INC-1', resolvedMs: t('2025-01-06T12:00:00Z') }]);
  });

  it("never links a change to another team's deployment, whichever is recorded first", async () => {
    const store = await open();
    await record(store, deployment(B, 'D-1', 'production', 'success', '2025-01-06T10:00:00Z'));
    // A's change names B's deployment after it was recorded, and names B's next one before it is.
    await record(store, change(A, 'C-A1', '2025-01-06T08:00:00Z', '2025-01-06T09:00:00Z', 'D-1'));
    await record(store, change(A, 'C-A2', '2025-01-06T08:00:00Z', '2025-01-06T09:00:00Z', 'D-2'));
    await record(store, deployment(B, 'D-2', 'production', 'success', '2025-01-06T12:00:00Z'));

    const after = await facts(store);
    expect(after.leadTimes).toEqual([]);
    expect(after.withoutChanges.map((d) => d.id)).toEqual(['D-1', 'D-2']);
    // B's own change naming D-2 is linked as before.
    await record(store, change(B, 'C-B', '2025-01-06T11:00:00Z', '2025-01-06T11:30:00Z', 'D-2'));
    expect((await facts(store)).leadTimes).toEqual([{ minutes: 60, count: 1 }]);
  });

  it('lets the first team to record it again take a record whose team is not known (kept from before 0027), and no other after', async () => {
    const store = await open();
    await record(store, incident(B, 'INC-1', '2025-01-06T11:00:00Z'));
    await runSqlBehindStore(store, ['update delivery_issues set recorded_by = null']);

    await record(store, incident(B, 'INC-1', '2025-01-06T11:00:00Z', '2025-01-06T12:00:00Z'));
    await expect(record(store, incident(A, 'INC-1', '2025-01-06T11:00:00Z'))).rejects.toMatchObject(taken);
    expect((await facts(store)).incidents).toMatchObject([{ id: 'INC-1', resolvedMs: t('2025-01-06T12:00:00Z') }]);
  });

  it('keeps webhook records apart: a team cannot reach one through the API, and an API fact must name its team', async () => {
    const store = await open();
    await store.recordDelivery({ source: 'github', deliveryId: 'w-1', event: 'deployment_status', facts: [{ ...deployment(B, '77', 'production', 'success', '2025-01-06T10:00:00Z'), source: 'github', recordedBy: undefined, replace: false } as DeliveryFact] }, rules);
    await record(store, deployment(A, '77', 'staging', 'failure', '2025-01-06T11:00:00Z'));
    expect((await facts(store)).days).toEqual([{ day: Math.floor(t('2025-01-06T00:00:00Z') / 86_400_000), deployments: 1, withoutChanges: 1 }]);
    await expect(record(store, { ...deployment(A, 'D-9', 'production', 'success', '2025-01-06T10:00:00Z'), recordedBy: undefined } as DeliveryFact))
      .rejects.toThrow(/must name its team/);
  });
});
