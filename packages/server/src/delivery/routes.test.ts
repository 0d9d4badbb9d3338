import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '@paved/store';
import { applyQueued, fixture, github, githubDelivery, gitlab, gitlabDelivery, sha, signGithub, type Delivery } from './deliveries.test-support.js';
import { startHarness, type Caller, type Harness } from '../test-harness.js';

/**
 * Webhooks and the generic events API through the real routes (app.inject) over a real store.
 * Bodies are the fixtures' real shapes (fixtures/webhooks/), signed over the bytes sent.
 */

const GITHUB_SECRET = "It's a Secret to Everybody";
const GITLAB_TOKEN = 'gitlab-secret-token-1234';

describe('webhook deliveries', () => {
  let h: Harness;
  let now = Date.parse('2025-03-10T12:00:00Z');
  const repo = github('acme/payments-api');

  beforeAll(async () => {
    const store = await createStore({ url: ':memory:' });
    await store.migrate();
    h = await startHarness(store, { now: () => now, delivery: { githubWebhookSecret: GITHUB_SECRET, gitlabWebhookToken: GITLAB_TOKEN } });
  });
  afterAll(() => h.close());

  const send = (d: Delivery) => h.app.inject({ method: 'POST', url: d.path, headers: d.headers, payload: d.body });
  const repositories = async () => {
    await applyQueued(h.store);
    return h.store.listDeliveryRepositories();
  };

  it("verifies GitHub's HMAC over the raw bytes (GitHub's documented test vector)", () => {
    expect(signGithub(Buffer.from('Hello, World!'), GITHUB_SECRET)).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });

  it('records a signed delivery, and a redelivery with the same id once', async () => {
    const delivery = githubDelivery('deployment_status', repo.deploymentStatus({ deployment: 1, status: 11, environment: 'production', sha: sha('A'), created: '2025-03-03T10:00:00Z', state: 'success', at: '2025-03-03T10:05:00Z' }), { secret: GITHUB_SECRET, id: 'delivery-1' });
    const first = await send(delivery);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ outcome: 'queued' });
    const again = await send(delivery);
    expect(again.json()).toEqual({ outcome: 'duplicate' });
    expect((await repositories()).map((r) => [r.host, r.path])).toEqual([['github.com', 'acme/payments-api']]);
  });

  it('answers queued at once, and a metrics read right after sees every delivery accepted before it', async () => {
    const shop = github('acme/read-after');
    expect((await h.call(h.admin, 'POST', '/api/v1/teams', { name: 'readers' })).statusCode).toBe(201);
    expect((await h.call(h.admin, 'POST', '/api/v1/teams/readers/services', { name: 'read-after', repositoryUrl: 'https://github.com/acme/read-after' })).statusCode).toBe(201);
    const [c, m0, m1] = [sha('RA-c'), sha('RA-m0'), sha('RA-m1')];
    const deliveries = [
      shop.push('main', '0'.repeat(40), m0, [{ sha: m0, at: '2025-03-04T08:00:00Z' }]),
      shop.deploymentStatus({ deployment: 70, status: 701, environment: 'production', sha: m0, created: '2025-03-04T08:10:00Z', state: 'success', at: '2025-03-04T08:15:00Z' }),
      shop.push('feat/ra', '0'.repeat(40), c, [{ sha: c, at: '2025-03-04T09:00:00Z' }]),
      shop.pullRequest(71, { head: 'feat/ra', opened: '2025-03-04T09:30:00Z', updated: '2025-03-04T10:00:00Z', merged: { at: '2025-03-04T10:00:00Z', sha: m1 } }),
      shop.push('main', m0, m1, [{ sha: c, at: '2025-03-04T09:00:00Z', distinct: false }, { sha: m1, at: '2025-03-04T10:00:00Z' }]),
      shop.deploymentStatus({ deployment: 72, status: 721, environment: 'production', sha: m1, created: '2025-03-04T10:50:00Z', state: 'success', at: '2025-03-04T11:00:00Z' }),
    ];
    const events = ['push', 'deployment_status', 'push', 'pull_request', 'push', 'deployment_status'];
    // All sent at once: each is answered once it is durably queued, before it is applied.
    const answers = await Promise.all(deliveries.map((body, i) => send(githubDelivery(events[i]!, body, { secret: GITHUB_SECRET }))));
    expect(answers.map((a) => [a.statusCode, a.json()])).toEqual(deliveries.map(() => [202, { outcome: 'queued' }]));
    // 09:00 → 09:30 (30) → 10:00 (30) → 11:00 (60).
    const metrics = await h.call(h.admin, 'GET', '/api/v1/metrics/dora?team=readers&from=2025-03-04&to=2025-03-04');
    expect(metrics.json()).toMatchObject({ deployments: 2, leadTime: { changes: 1, medianMinutes: 120 }, dataQuality: { deploymentsWithoutChanges: { count: 1 } } });
  });

  it('refuses a forged or unsigned delivery with 401 and stores nothing', async () => {
    const other = github('evil/forged');
    const payload = other.issue('opened', { number: 1, labels: ['incident'], created: '2025-03-03T10:00:00Z', updated: '2025-03-03T10:00:00Z' });
    const forged = githubDelivery('issues', payload, { secret: 'not the secret' });
    const res = await send(forged);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('webhook_signature_invalid');
    // Signed, then the body changed by one byte on the way.
    const signed = githubDelivery('issues', payload, { secret: GITHUB_SECRET });
    const tampered = { ...signed, body: Buffer.from(signed.body.toString('utf8').replace('"incident"', '"incidenT"')) };
    expect((await send(tampered)).statusCode).toBe(401);
    const unsigned = { ...signed, headers: { ...signed.headers, 'x-hub-signature-256': '' } };
    expect((await send(unsigned)).statusCode).toBe(401);
    // Not even malformed JSON is reported to an unsigned caller.
    expect((await send({ ...unsigned, body: Buffer.from('{not json') })).statusCode).toBe(401);
    expect((await repositories()).map((r) => r.path)).not.toContain('evil/forged');
  });

  it('leaves an accepted delivery out of the audit log, and records a forged one there', async () => {
    const webhookRecords = async () => (await h.store.listAuditRecords({ limit: 1000 })).items.filter((r) => r.action === 'githubWebhook');
    const before = (await webhookRecords()).length;
    const payload = github('acme/audited').issue('opened', { number: 9, labels: [], created: '2025-03-03T10:00:00Z', updated: '2025-03-03T10:00:00Z' });
    expect((await send(githubDelivery('issues', payload, { secret: GITHUB_SECRET }))).statusCode).toBe(202);
    expect(await webhookRecords()).toHaveLength(before);
    expect((await send(githubDelivery('issues', payload, { secret: 'not the secret' }))).statusCode).toBe(401);
    const records = await webhookRecords();
    expect(records).toHaveLength(before + 1);
    expect(records.at(-1)).toMatchObject({ stage: 'completed', actor: 'anonymous', outcome: { result: 'refused', status: 401, code: 'webhook_signature_invalid' } });
  });

  it('accepts and ignores ping, deployment and tag pushes', async () => {
    for (const [event, body] of [['ping', fixture('github', 'ping')], ['deployment', fixture('github', 'deployment')], ['push', fixture('github', 'push-tag-deleted')]] as const) {
      const res = await send(githubDelivery(event, body, { secret: GITHUB_SECRET }));
      expect(res.statusCode, event).toBe(202);
      expect(res.json().outcome, event).toBe('ignored');
    }
  });

  it('takes a form-encoded delivery (GitHub\'s other content type)', async () => {
    const json = JSON.stringify(repo.issue('opened', { number: 9, labels: ['bug'], created: '2025-03-04T10:00:00Z', updated: '2025-03-04T10:00:00Z' }));
    const body = Buffer.from(`payload=${encodeURIComponent(json)}`);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/webhooks/github', payload: body, headers: {
      'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'issues', 'x-github-delivery': 'form-1', 'x-hub-signature-256': signGithub(body, GITHUB_SECRET),
    } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ outcome: 'queued' });
  });

  it('names the field of a signed delivery that cannot be read, and stores none of it', async () => {
    const payload = repo.push('main', sha('A'), sha('B'), [{ sha: sha('B'), at: '2025-03-04 10:00:00' }]);
    payload.repository.full_name = 'acme/half-written';
    const res = await send(githubDelivery('push', payload, { secret: GITHUB_SECRET }));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('timestamp_invalid');
    expect(res.json().errors).toEqual([{ path: 'body.commits[0].timestamp', message: expect.stringContaining('UTC offset') }]);
    expect((await repositories()).map((r) => r.path)).not.toContain('acme/half-written');
  });

  it('verifies GitLab by its secret token and reads its local-time offsets', async () => {
    const project = gitlab('acme/billing');
    const deployment = project.deployment({ id: 15, status: 'success', at: '2025-03-21 00:40:10 +0100', environment: 'production', sha: sha('G1') });
    expect((await send(gitlabDelivery('Deployment Hook', deployment, { token: 'wrong-token-wrong-token' }))).statusCode).toBe(401);
    expect((await send(gitlabDelivery('Deployment Hook', deployment, { token: GITLAB_TOKEN }))).json()).toEqual({ outcome: 'queued' });
    expect((await send(gitlabDelivery('Pipeline Hook', project.pipeline(), { token: GITLAB_TOKEN }))).json().outcome).toBe('ignored');
    // The documented bodies as they are.
    for (const [event, name] of [['Push Hook', 'push'], ['Merge Request Hook', 'merge_request'], ['Issue Hook', 'issue'], ['Deployment Hook', 'deployment']] as const) {
      expect((await send(gitlabDelivery(event, fixture('gitlab', name), { token: GITLAB_TOKEN }))).json(), name).toEqual({ outcome: 'queued' });
    }
    const paths = (await repositories()).map((r) => `${r.host}/${r.path}`);
    expect(paths).toEqual(expect.arrayContaining(['gitlab.example.com/acme/billing', 'example.com/mike/diaspora', 'example.com/gitlabhq/gitlab-test', '10.126.0.2/root/test-deployment-webhooks']));
  });

  it('takes a secret set at runtime, keeps the previous one for its grace period, then refuses it', async () => {
    const admin = h.admin;
    const next = 'a-new-github-secret-0001';
    const set = await h.call(admin, 'PUT', '/api/v1/admin/webhooks/github/secret', { secret: next, previousValidForSeconds: 60 });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ source: 'github', origin: 'runtime' });
    expect(JSON.stringify(set.json())).not.toContain(next);
    const payload = () => repo.issue('opened', { number: 50, labels: [], created: '2025-03-05T10:00:00Z', updated: '2025-03-05T10:00:00Z' });
    expect((await send(githubDelivery('issues', payload(), { secret: next }))).statusCode).toBe(202);
    expect((await send(githubDelivery('issues', payload(), { secret: GITHUB_SECRET }))).statusCode).toBe(202);
    now += 61_000;
    expect((await send(githubDelivery('issues', payload(), { secret: GITHUB_SECRET }))).statusCode).toBe(401);
    expect((await send(githubDelivery('issues', payload(), { secret: next }))).statusCode).toBe(202);
    const settings = await h.call(admin, 'GET', '/api/v1/admin/webhooks');
    expect(settings.json()).toEqual([
      { source: 'github', origin: 'runtime', updatedAt: expect.any(String) },
      { source: 'gitlab', origin: 'environment' },
    ]);
  });
});

describe('webhooks without a secret', () => {
  let store: Store;
  let h: Harness;
  beforeAll(async () => {
    store = await createStore({ url: ':memory:' });
    await store.migrate();
    h = await startHarness(store);
  });
  afterAll(() => h.close());

  it('refuses every delivery and says how to set a secret', async () => {
    const d = githubDelivery('ping', fixture('github', 'ping'), { secret: 'anything-at-all-1234' });
    const res = await h.app.inject({ method: 'POST', url: d.path, headers: d.headers, payload: d.body });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'webhook_secret_missing', detail: expect.stringContaining('paved events webhook-secret github') });
  });
});

describe('the generic events API', () => {
  let h: Harness;
  let member: Caller;
  beforeAll(async () => {
    const store = await createStore({ url: ':memory:' });
    await store.migrate();
    h = await startHarness(store);
    member = await h.user('dev');
    await h.team('shop', [[member, 'member']]);
    expect((await h.call(member, 'POST', '/api/v1/teams/shop/services', { name: 'cart' })).statusCode).toBe(201);
  });
  afterAll(() => h.close());

  it('records deployments, changes and incidents for a service, and names a bad field', async () => {
    const base = '/api/v1/teams/shop/services/cart';
    const deployed = await h.call(member, 'POST', `${base}/deployments`, { id: 'D-1', environment: 'production', finishedAt: '2025-03-03T10:00:00+01:00' });
    expect(deployed.statusCode).toBe(200);
    expect(deployed.json()).toEqual({ kind: 'deployment', id: 'D-1', team: 'shop', service: 'cart' });
    expect((await h.call(member, 'POST', `${base}/changes`, { id: 'C-1', mergedAt: '2025-03-03T08:00:00Z', deployment: 'D-1' })).statusCode).toBe(200);
    expect((await h.call(member, 'POST', `${base}/incidents`, { id: 'INC-1', createdAt: '2025-03-03T12:00:00Z' })).statusCode).toBe(200);

    const noOffset = await h.call(member, 'POST', `${base}/deployments`, { id: 'D-2', environment: 'production', finishedAt: '2025-03-03 10:00:00' });
    expect(noOffset.statusCode).toBe(400);
    expect(noOffset.json()).toMatchObject({ code: 'timestamp_invalid', errors: [{ path: 'finishedAt' }] });
    const backwards = await h.call(member, 'POST', `${base}/incidents`, { id: 'INC-2', createdAt: '2025-03-03T12:00:00Z', resolvedAt: '2025-03-03T11:00:00Z' });
    expect(backwards.json()).toMatchObject({ code: 'incident_times_invalid', errors: [{ path: 'resolvedAt' }] });
    const unknown = await h.call(member, 'POST', '/api/v1/teams/shop/services/nope/deployments', { id: 'D-3', environment: 'production', finishedAt: '2025-03-03T10:00:00Z' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('service_not_found');

    const metrics = await h.call(member, 'GET', '/api/v1/metrics/dora?team=shop&service=cart&from=2025-03-03&to=2025-03-03');
    expect(metrics.json()).toMatchObject({ deployments: 1, leadTime: { changes: 1, medianMinutes: 60 }, changeFailureRate: { failed: 1, deployments: 1 } });
  });
});

describe("the generic events API: one team's records are out of another's reach", () => {
  let h: Harness;
  let bob: Caller;
  let eve: Caller;
  const payments = '/api/v1/teams/payments/services/checkout';
  const spy = '/api/v1/teams/spies/services/spy';
  const metrics = async () => (await h.call(bob, 'GET', '/api/v1/metrics/dora?team=payments&service=checkout&from=2025-03-03&to=2025-03-03')).json();

  beforeAll(async () => {
    const store = await createStore({ url: ':memory:' });
    await store.migrate();
    h = await startHarness(store);
    bob = await h.user('bob');
    eve = await h.user('eve');
    await h.team('payments', [[bob, 'member']]);
    await h.team('spies', [[eve, 'member']]);
    const repositoryUrl = 'https://github.com/acme/payments-api';
    expect((await h.call(bob, 'POST', '/api/v1/teams/payments/services', { name: 'checkout', repositoryUrl })).statusCode).toBe(201);
    // Any team may claim any repository (a monorepo may be claimed by several services).
    expect((await h.call(eve, 'POST', '/api/v1/teams/spies/services', { name: 'spy', repositoryUrl })).statusCode).toBe(201);
    expect((await h.call(bob, 'POST', `${payments}/deployments`, { id: 'D-1', environment: 'production', finishedAt: '2025-03-03T10:00:00Z' })).statusCode).toBe(200);
    expect((await h.call(bob, 'POST', `${payments}/changes`, { id: 'C-1', firstCommitAt: '2025-03-03T08:00:00Z', mergedAt: '2025-03-03T09:00:00Z', deployment: 'D-1' })).statusCode).toBe(200);
    expect((await h.call(bob, 'POST', `${payments}/incidents`, { id: 'INC-1', createdAt: '2025-03-03T12:00:00Z' })).statusCode).toBe(200);
  });
  afterAll(() => h.close());

  const refused = (res: { statusCode: number; body: string; json(): any }) => {
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'delivery_id_taken', errors: [{ path: 'id' }] });
    // That the id is taken, nothing of the record: not its team, environment or times.
    expect(res.body).not.toMatch(/payments|checkout|production|2025-03-03T1/);
  };

  it("refuses another team's deployment with the same id: the recording team's metrics are unchanged", async () => {
    const before = await metrics();
    expect(before).toMatchObject({ deployments: 1, leadTime: { changes: 1, medianMinutes: 120 } });
    refused(await h.call(eve, 'POST', `${spy}/deployments`, { id: 'D-1', environment: 'staging', status: 'failure', finishedAt: '2025-03-03T11:00:00Z' }));
    expect(await metrics()).toEqual(before);
  });

  it("refuses another team's change and incident with the same ids", async () => {
    const before = await metrics();
    refused(await h.call(eve, 'POST', `${spy}/changes`, { id: 'C-1', firstCommitAt: '2025-03-03T09:58:00Z', mergedAt: '2025-03-03T09:59:00Z' }));
    refused(await h.call(eve, 'POST', `${spy}/incidents`, { id: 'INC-1', createdAt: '2025-03-03T12:00:00Z', resolvedAt: '2025-03-03T12:01:00Z' }));
    expect(await metrics()).toEqual(before);
    expect(before).toMatchObject({ leadTime: { changes: 1, medianMinutes: 120 }, changeFailureRate: { failed: 1 }, failedDeploymentRecoveryTime: { incidents: 0 } });
  });

  it("records another team's own ids, and never links its change to the recording team's deployment", async () => {
    const before = await metrics();
    expect((await h.call(eve, 'POST', `${spy}/changes`, { id: 'C-SPY', firstCommitAt: '2025-03-03T09:58:00Z', mergedAt: '2025-03-03T09:59:00Z', deployment: 'D-1' })).statusCode).toBe(200);
    // Recorded, but shipped by no deployment of another team: the lead time is still C-1's alone.
    expect(await metrics()).toEqual(before);
    // The recording team still replaces its own records.
    expect((await h.call(bob, 'POST', `${payments}/incidents`, { id: 'INC-1', createdAt: '2025-03-03T12:00:00Z', resolvedAt: '2025-03-03T12:30:00Z' })).statusCode).toBe(200);
    expect(await metrics()).toMatchObject({ failedDeploymentRecoveryTime: { incidents: 1, medianMinutes: 150 } });
  });
});
