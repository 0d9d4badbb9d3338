import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoraMetrics } from '@paved/model';
import { createStore } from '@paved/store';
import { github, githubDelivery, gitlab, gitlabDelivery, sha, type Delivery } from '../../delivery/deliveries.test-support.js';
import { DEFAULT_DELIVERY_SETTINGS } from '../../delivery/settings.js';
import { startHarness, type Harness } from '../../test-harness.js';

/**
 * The edge cases of docs/metrics/dora.md (and of the DORA reference's acceptance list), each
 * through the real routes: signed deliveries built from the fixtures' real shapes, then the
 * report. Each test has a repository (and service) of its own; times are UTC unless written
 * with an offset. Forged deliveries, redeliveries and ping are in delivery/routes.test.ts.
 */

const SECRET = 'edge-case-webhook-secret';
const TOKEN = 'edge-case-gitlab-token';

async function world(timeZone = 'UTC') {
  const store = await createStore({ url: ':memory:' });
  await store.migrate();
  const h = await startHarness(store, { delivery: { githubWebhookSecret: SECRET, gitlabWebhookToken: TOKEN, settings: { ...DEFAULT_DELIVERY_SETTINGS, timeZone } } });
  const created = await h.call(h.admin, 'POST', '/api/v1/teams', { name: 'acme' });
  if (created.statusCode !== 201) throw new Error(created.body);
  return h;
}

function scenario(h: Harness, name: string, url = `https://github.com/acme/${name}`) {
  const gh = github(`acme/${name}`);
  let deliveryCount = 0;
  const send = async (d: Delivery) => {
    const res = await h.app.inject({ method: 'POST', url: d.path, headers: d.headers, payload: d.body });
    if (res.statusCode !== 202) throw new Error(`delivery ${++deliveryCount}: ${res.statusCode} ${res.body}`);
  };
  return {
    gh,
    async register() {
      const res = await h.call(h.admin, 'POST', '/api/v1/teams/acme/services', { name, repositoryUrl: url });
      if (res.statusCode !== 201) throw new Error(res.body);
    },
    push: (branch: string, before: string, after: string, commits: [string, string, boolean?][]) =>
      send(githubDelivery('push', gh.push(branch, before, after, commits.map(([s, at, distinct]) => ({ sha: sha(s), at, distinct: distinct ?? true }))), { secret: SECRET })),
    deploy: (deployment: number, status: number, environment: string, commit: string, state: string, at: string) =>
      send(githubDelivery('deployment_status', gh.deploymentStatus({ deployment, status, environment, sha: sha(commit), created: at, state, at }), { secret: SECRET })),
    pr: (number: number, head: string, opened: string, merged?: { at: string; commit: string }) =>
      send(githubDelivery('pull_request', gh.pullRequest(number, { head, opened, updated: merged?.at ?? opened, ...(merged ? { merged: { at: merged.at, sha: sha(merged.commit) } } : {}) }), { secret: SECRET })),
    issue: (action: 'opened' | 'labeled' | 'edited' | 'closed', number: number, labels: string[], created: string, updated: string, closed?: string, body?: string) =>
      send(githubDelivery('issues', gh.issue(action, { number, labels, created, updated, ...(closed ? { closed } : {}), ...(body ? { body } : {}) }), { secret: SECRET })),
    send,
    async report(from: string, to: string): Promise<DoraMetrics> {
      const res = await h.call(h.admin, 'GET', `/api/v1/metrics/dora?team=acme&service=${name}&from=${from}&to=${to}`);
      if (res.statusCode !== 200) throw new Error(res.body);
      return res.json() as DoraMetrics;
    },
  };
}

describe('DORA edge cases', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await world();
  });
  afterAll(() => h.close());

  it('decides a deployment by its statuses\' own times, whatever order they arrive in', async () => {
    const s = scenario(h, 'out-of-order');
    await s.register();
    // success (10:05) arrives before in_progress (10:00): the deployment succeeded, finished at 10:05.
    await s.deploy(1, 12, 'production', 'A', 'success', '2025-03-03T10:05:00Z');
    await s.deploy(1, 11, 'production', 'A', 'in_progress', '2025-03-03T10:00:00Z');
    const r = await s.report('2025-03-03', '2025-03-09');
    expect(r.deployments).toBe(1);
    expect(r.dataQuality.deploymentsWithoutChanges.examples).toEqual([{ service: 'acme/out-of-order', id: '1', environment: 'production', finishedAt: '2025-03-03T10:05:00.000Z' }]);
  });

  it('counts a failed production deployment not at all, and its retry once, with the changes', async () => {
    const s = scenario(h, 'retry');
    await s.register();
    await s.push('main', '0', sha('A'), [['A', '2025-03-03T08:00:00Z']]);
    await s.deploy(1, 1, 'production', 'A', 'success', '2025-03-03T09:00:00Z');
    await s.push('fix', '0', sha('f1'), [['f1', '2025-03-03T09:30:00Z']]);
    await s.pr(7, 'fix', '2025-03-03T09:40:00Z', { at: '2025-03-03T10:00:00Z', commit: 'B' });
    await s.push('main', sha('A'), sha('B'), [['f1', '2025-03-03T09:30:00Z', false], ['B', '2025-03-03T10:00:00Z']]);
    await s.deploy(2, 2, 'production', 'B', 'failure', '2025-03-03T11:00:00Z');
    await s.deploy(3, 3, 'production', 'B', 'success', '2025-03-03T11:30:00Z');
    const r = await s.report('2025-03-03', '2025-03-09');
    // Deployments 1 and 3. PR #7: 09:30 → 09:40 (10) → 10:00 (20) → 11:30 (90) = 120 min, shipped by the retry.
    expect(r.deployments).toBe(2);
    expect(r.leadTime).toEqual({ changes: 1, medianMinutes: 120, level: 'elite' });
  });

  it('links several pull requests to the one deployment that shipped them', async () => {
    const s = scenario(h, 'batch');
    await s.register();
    await s.push('main', '0', sha('A'), [['A', '2025-03-03T08:00:00Z']]);
    await s.deploy(1, 1, 'production', 'A', 'success', '2025-03-03T08:30:00Z');
    await s.push('one', '0', sha('o1'), [['o1', '2025-03-03T09:00:00Z']]);
    await s.pr(1, 'one', '2025-03-03T09:10:00Z', { at: '2025-03-03T09:20:00Z', commit: 'M1' });
    await s.push('main', sha('A'), sha('M1'), [['o1', '2025-03-03T09:00:00Z', false], ['M1', '2025-03-03T09:20:00Z']]);
    await s.push('two', '0', sha('t1'), [['t1', '2025-03-03T10:00:00Z']]);
    await s.pr(2, 'two', '2025-03-03T10:05:00Z', { at: '2025-03-03T10:30:00Z', commit: 'M2' });
    await s.push('main', sha('M1'), sha('M2'), [['t1', '2025-03-03T10:00:00Z', false], ['M2', '2025-03-03T10:30:00Z']]);
    await s.deploy(2, 2, 'production', 'M2', 'success', '2025-03-03T12:00:00Z');
    const r = await s.report('2025-03-03', '2025-03-09');
    // #1: 10 + 10 + 160 (09:20 → 12:00) = 180; #2: 5 + 25 + 90 = 120. Lower median of [120, 180] = 120.
    expect(r.leadTime).toEqual({ changes: 2, medianMinutes: 120, level: 'elite' });
    expect(r.dataQuality.deploymentsWithoutChanges.count).toBe(1); // deployment 1, the repository's first
  });

  it('counts a squash merge from the first commit on its branch', async () => {
    const s = scenario(h, 'squash');
    await s.register();
    await s.push('main', '0', sha('A'), [['A', '2025-03-03T08:00:00Z']]);
    await s.deploy(1, 1, 'production', 'A', 'success', '2025-03-03T08:30:00Z');
    await s.push('feature', '0', sha('c2'), [['c1', '2025-03-02T16:00:00+01:00'], ['c2', '2025-03-03T09:00:00Z']]);
    await s.pr(3, 'feature', '2025-03-03T09:30:00Z', { at: '2025-03-03T11:00:00Z', commit: 'S' });
    // The squash commit alone reaches main.
    await s.push('main', sha('A'), sha('S'), [['S', '2025-03-03T11:00:00Z']]);
    await s.deploy(2, 2, 'production', 'S', 'success', '2025-03-03T11:15:00Z');
    const r = await s.report('2025-03-03', '2025-03-09');
    // c1 at 15:00 UTC on 03-02 → opened 03-03 09:30: 1110; → merged 11:00: 90; → deployed 11:15: 15. Total 1215.
    expect(r.leadTime).toEqual({ changes: 1, medianMinutes: 1215, level: 'elite' });
  });

  it('ships nothing on a rollback to an older sha, and counts each change once', async () => {
    const s = scenario(h, 'rollback');
    await s.register();
    await s.push('main', '0', sha('A'), [['A', '2025-03-03T08:00:00Z']]);
    await s.deploy(1, 1, 'production', 'A', 'success', '2025-03-03T08:30:00Z');
    await s.push('x', '0', sha('x1'), [['x1', '2025-03-03T09:00:00Z']]);
    await s.pr(4, 'x', '2025-03-03T09:05:00Z', { at: '2025-03-03T09:10:00Z', commit: 'B' });
    await s.push('main', sha('A'), sha('B'), [['x1', '2025-03-03T09:00:00Z', false], ['B', '2025-03-03T09:10:00Z']]);
    await s.deploy(2, 2, 'production', 'B', 'success', '2025-03-03T10:00:00Z');
    await s.deploy(3, 3, 'production', 'A', 'success', '2025-03-03T10:30:00Z'); // rollback
    await s.deploy(4, 4, 'production', 'B', 'success', '2025-03-03T11:00:00Z'); // forward again
    const r = await s.report('2025-03-03', '2025-03-09');
    // #4: 5 + 5 + 50 = 60 against deployment 2 only; deployments 1, 3 and 4 have no change.
    expect(r.deployments).toBe(4);
    expect(r.leadTime).toEqual({ changes: 1, medianMinutes: 60, level: 'elite' });
    expect(r.dataQuality.deploymentsWithoutChanges.count).toBe(3);
  });

  it('counts an incident labelled after it was opened, its root cause edited in later, from its creation', async () => {
    const s = scenario(h, 'late-label');
    await s.register();
    await s.deploy(1, 1, 'production', 'A', 'success', '2025-03-03T09:00:00Z');
    await s.deploy(2, 2, 'production', 'B', 'success', '2025-03-03T13:00:00Z');
    // Opened at 12:00 as a question, labelled Incident at 13:30 (after deployment 2), root cause edited in at 14:00.
    await s.issue('opened', 5, [], '2025-03-03T12:00:00Z', '2025-03-03T12:00:00Z');
    await s.issue('edited', 5, ['Incident'], '2025-03-03T12:00:00Z', '2025-03-03T14:00:00Z', undefined, `Checkout fails.\n\nroot cause: ${sha('A')}`);
    await s.issue('labeled', 5, ['Incident'], '2025-03-03T12:00:00Z', '2025-03-03T13:30:00Z');
    const r = await s.report('2025-03-03', '2025-03-09');
    // Created 12:00: the last production deployment before it is 1 (09:00), not 2.
    expect(r.changeFailureRate).toEqual({ failed: 1, deployments: 2, rate: 0.5, level: 'low' });
  });

  it('counts an incident with no code cause against the deployment before it', async () => {
    const s = scenario(h, 'no-code-cause');
    await s.register();
    await s.deploy(1, 1, 'production', 'A', 'success', '2025-03-03T09:00:00Z');
    await s.issue('opened', 1, ['incident'], '2025-03-04T02:00:00Z', '2025-03-04T02:00:00Z', undefined, 'The cloud provider lost a zone.');
    await s.issue('closed', 1, ['incident'], '2025-03-04T02:00:00Z', '2025-03-04T03:00:00Z', '2025-03-04T03:00:00Z');
    const r = await s.report('2025-03-03', '2025-03-09');
    expect(r.changeFailureRate).toMatchObject({ failed: 1, deployments: 1 });
    // Recovery from the deployment's finish (03-03 09:00) to the resolution (03-04 03:00) = 1080 min, under a day.
    expect(r.failedDeploymentRecoveryTime).toEqual({ incidents: 1, medianMinutes: 1080, level: 'high' });
  });

  it('counts an incident still open at the window end as a failure, not as a recovery', async () => {
    const s = scenario(h, 'still-open');
    await s.register();
    await s.deploy(1, 1, 'production', 'A', 'success', '2025-03-07T09:00:00Z');
    await s.issue('opened', 2, ['Incident'], '2025-03-09T20:00:00Z', '2025-03-09T20:00:00Z');
    await s.issue('closed', 2, ['Incident'], '2025-03-09T20:00:00Z', '2025-03-10T08:00:00Z', '2025-03-10T08:00:00Z');
    const r = await s.report('2025-03-03', '2025-03-09');
    expect(r.changeFailureRate).toMatchObject({ failed: 1, deployments: 1 });
    expect(r.failedDeploymentRecoveryTime).toEqual({ incidents: 0, medianMinutes: null, level: null });
    expect(r.reworkRate).toMatchObject({ reworked: 0, deployments: 1 });
  });

  it('does not count a plain bug', async () => {
    const s = scenario(h, 'bug');
    await s.register();
    await s.deploy(1, 1, 'production', 'A', 'success', '2025-03-03T09:00:00Z');
    await s.issue('opened', 3, ['bug', 'incident-review'], '2025-03-03T10:00:00Z', '2025-03-03T10:00:00Z');
    const r = await s.report('2025-03-03', '2025-03-09');
    expect(r.changeFailureRate).toEqual({ failed: 0, deployments: 1, rate: 0, level: 'elite' });
  });

  it('does not count an open pull request, nor its test merge commit', async () => {
    const s = scenario(h, 'open-pr');
    await s.register();
    await s.push('main', '0', sha('A'), [['A', '2025-03-03T08:00:00Z']]);
    await s.deploy(1, 1, 'production', 'A', 'success', '2025-03-03T08:30:00Z');
    await s.push('wip', '0', sha('w1'), [['w1', '2025-03-03T09:00:00Z']]);
    await s.pr(9, 'wip', '2025-03-03T09:05:00Z');
    // Its would-be merge commit reaches production through another route: still not this change.
    await s.push('main', sha('A'), sha('test-merge-9'), [['test-merge-9', '2025-03-03T09:30:00Z']]);
    await s.deploy(2, 2, 'production', 'test-merge-9', 'success', '2025-03-03T10:00:00Z');
    const r = await s.report('2025-03-03', '2025-03-09');
    expect(r.leadTime).toEqual({ changes: 0, medianMinutes: null, level: null });
  });

  it('keeps a week of change freeze as a week with no deployment days', async () => {
    const s = scenario(h, 'freeze');
    await s.register();
    // Weeks of 2025-03-03, 03-10 (freeze), 03-17 and 03-24: 5, 0, 5 and 5 deployment days.
    let id = 0;
    for (const monday of [3, 17, 24]) {
      for (let d = 0; d < 5; d++) {
        const day = String(monday + d).padStart(2, '0');
        id++;
        await s.deploy(id, id, 'production', `D${id}`, 'success', `2025-03-${day}T10:00:00Z`);
      }
    }
    const r = await s.report('2025-03-03', '2025-03-30');
    // Sorted [0, 5, 5, 5]: the lower median is 5 (elite); the freeze week is one of the four.
    expect(r.window).toMatchObject({ days: 28, weeks: 4, months: 1 });
    expect(r.deploymentFrequency).toEqual({ deploymentDays: 15, medianDeploymentDaysPerWeek: 5, medianDeploymentDaysPerMonth: 15, level: 'elite' });
    // Over the first two weeks alone, [5, 0]: the lower median is 0; March's 5 days make it medium.
    const two = await s.report('2025-03-03', '2025-03-16');
    expect(two.deploymentFrequency).toEqual({ deploymentDays: 5, medianDeploymentDaysPerWeek: 0, medianDeploymentDaysPerMonth: 5, level: 'medium' });
  });

  it('puts a change failure rate of exactly 5 %, 10 % and 15 % in the better level', async () => {
    for (const [failed, level] of [[1, 'elite'], [2, 'high'], [3, 'medium'], [4, 'low']] as const) {
      const name = `boundary-${failed}`;
      const s = scenario(h, name);
      await s.register();
      // 20 deployments, one a day from 03-01; an incident shortly after the first `failed` of them.
      for (let i = 0; i < 20; i++) {
        const day = String(i + 1).padStart(2, '0');
        await s.deploy(i + 1, i + 1, 'production', `X${i}`, 'success', `2025-03-${day}T10:00:00Z`);
        if (i < failed) await s.issue('opened', i + 1, ['Incident'], `2025-03-${day}T11:00:00Z`, `2025-03-${day}T11:00:00Z`);
      }
      const r = await s.report('2025-03-01', '2025-03-31');
      expect(r.changeFailureRate, name).toEqual({ failed, deployments: 20, rate: failed / 20, level });
    }
  });
});

describe('GitLab local times across a daylight-saving change', () => {
  // Europe/Berlin moved from +01:00 to +02:00 at 2025-03-30 02:00 local. The window holds two
  // Monday weeks (03-24 and 03-31) and two months (March, April).
  const deliveries = (project: ReturnType<typeof gitlab>) => [
    // 23:30 on Saturday 03-29, local winter time: 22:30 UTC the same day.
    project.deployment({ id: 1, status: 'success', at: '2025-03-29 23:30:00 +0100', environment: 'production', sha: sha('G1') }),
    // Just after local midnight on Monday 03-31, summer time: 22:30 UTC on Sunday 03-30.
    project.deployment({ id: 2, status: 'success', at: '2025-03-31 00:30:00 +0200', environment: 'production', sha: sha('G2') }),
  ];

  for (const [zone, expected] of [
    // UTC: both on days of the week of 03-24 (03-29 and 03-30) → weeks [2, 0] → lower median 0;
    // months: March 2, April 0 → 0: low.
    ['UTC', { deploymentDays: 2, medianDeploymentDaysPerWeek: 0, medianDeploymentDaysPerMonth: 0, level: 'low' }],
    // Berlin: 03-29 and 03-31 are in different weeks → [1, 1] → 1: high.
    ['Europe/Berlin', { deploymentDays: 2, medianDeploymentDaysPerWeek: 1, medianDeploymentDaysPerMonth: 0, level: 'high' }],
  ] as const) {
    it(`buckets the days in ${zone}`, async () => {
      const h = await world(zone);
      try {
        const created = await h.call(h.admin, 'POST', '/api/v1/teams/acme/services', { name: 'billing', repositoryUrl: 'https://gitlab.example.com/acme/billing' });
        expect(created.statusCode).toBe(201);
        for (const body of deliveries(gitlab('acme/billing'))) {
          const d = gitlabDelivery('Deployment Hook', body, { token: TOKEN });
          expect((await h.app.inject({ method: 'POST', url: d.path, headers: d.headers, payload: d.body })).statusCode).toBe(202);
        }
        const res = await h.call(h.admin, 'GET', '/api/v1/metrics/dora?team=acme&service=billing&from=2025-03-24&to=2025-04-06');
        const r = res.json() as DoraMetrics;
        expect(r.window).toMatchObject({ timeZone: zone, days: 14, weeks: 2, months: 2 });
        expect(r.deployments).toBe(2);
        expect(r.deploymentFrequency).toEqual(expected);
      } finally {
        await h.close();
      }
    });
  }
});
