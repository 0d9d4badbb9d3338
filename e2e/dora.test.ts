/**
 * DORA end to end: a month of GitHub and GitLab webhook deliveries (shaped from the fixtures in
 * fixtures/webhooks/, signed over the bytes sent) replayed over HTTP into a real `paved up`,
 * in a shuffled order with redeliveries and forgeries among them, plus events recorded with
 * `paved events` by a team's CI token; then every metric read with `paved metrics dora` and
 * checked against values worked out by hand below. The state in SQLite, then in PostgreSQL.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, machinePostgresAvailable, pavedOk, startServer, tempDatabase, tempDir, type ServerProcess } from './harness.js';
import { github, githubDelivery, gitlab, gitlabDelivery, sha, type Delivery } from '../packages/server/src/delivery/deliveries.test-support.js';

const GITHUB_SECRET = 'e2e-github-webhook-secret-0001';
const GITLAB_TOKEN = 'e2e-gitlab-secret-token-0001';
const postgresReachable = await machinePostgresAvailable();

// ------------------------------------------------------------------------------------------
// payments-api (github.com/acme/payments-api), times UTC. Window: Mon 2025-03-03 to Sun 03-30.
//
// week 1  03-03 09:00  push main [M0]; 10:00 D1 production M0 (the repository's first: ships nothing)
//         03-03 11:00  c1 pushed to feat/a; PR #1 opened 12:00, merged 15:00 as M1 (push main [c1, M1])
//         03-03 15:30  D2 staging M1 (not production: never counts)
//         03-04        D3 production M1: in_progress 09:55, success 10:00 → ships M1, c1: PR #1
//                      PR #1 = 60 (11:00 → 12:00) + 180 (→ 15:00) + 1140 (→ 03-04 10:00) = 1380
//         03-05 09:00  c2 on feat/b; PR #2 opened 09:30, squash-merged 10:00 as M2 (push main [M2])
//         03-05        D4 production M2 fails at 11:00; D5 retries it, success 11:30 → ships M2: PR #2
//                      PR #2 = 30 + 30 + 90 = 150
//         03-05 12:00  issue #10 opened, labelled Incident 12:05, closed 13:00 → against D5 (11:30)
//                      recovery: D5 11:30 → 13:00 = 90
//         03-06        issue #11 labelled bug: not an incident
//         03-07 10:00  D6 production M2 again (a redeploy: ships nothing)
// week 2  no deployment (a change freeze); PR #3 opened 03-11 and never merged
// week 3  03-17 09:00, 10:00  c4a, c4b on feat/d; PR #4 opened 10:30, merged 11:00 as M4 (push [c4a, c4b, M4])
//         03-17 12:00  c5 on feat/e; PR #5 opened 12:10, merged 12:30 as M5 (push [c5, M5])
//         03-17 14:00  D7 production M5 → ships M5, c5, M4, c4b, c4a: PRs #4 and #5
//                      PR #4 = 90 + 30 + 180 = 300;  PR #5 = 10 + 20 + 90 = 120
//         03-18 08:00  issue #12 labelled INCIDENT, closed 10:00 → against D7 (03-17 14:00)
//                      recovery: D7 03-17 14:00 → 03-18 10:00 = 1200
//         03-18 09:00  D8 production M2: a rollback while #12 is open (ships nothing; rework)
//         03-19 10:00  D9 production M5: forward again (ships nothing)
//         03-19 15:00  c6 on feat/f; PR #6 opened 16:00, merged 03-20 09:00 as M6; D10 production M6 03-20 10:00
//                      PR #6 = 60 + 1020 + 60 = 1140
// week 4  03-24 10:00  D11 production M6 (redeploy);  03-28 10:00 D12 production M6 (redeploy)
//         03-30 20:00  issue #13 labelled Incident, still open at the window's end → against D12
//
// payments-api:  deployments D1 D3 D5 D6 D7 D8 D9 D10 D11 D12 = 10
//   deployment days per week [4, 0, 4, 2] → sorted [0, 2, 4, 4] → lower median 2 (high); March: 10 days
//   lead times [120, 150, 300, 1140, 1380] → lower median 300 min (elite), 5 changes
//   failed deployments {D5, D7, D12} = 3 of 10 = 30 % (low)
//   recovery [90, 1200] → lower median 90 min (high), 2 incidents
//   rework: D8 finished while #12 was open → 1 of 10
//   without changes: D1, D6, D8, D9, D11, D12 = 6
//
// billing (GitLab, gitlab.example.com/acme/billing, the server in Europe/Berlin: +0100 in March):
//   03-10 10:00 +0100 deployment 1 of G0 (first);  g1 pushed to fix-vat 03-11 09:00 +0100
//   MR !1 opened 03-11 10:00 +0100, merged 11:00 +0100 as G1;  deployment 2 running 11:50, success 12:00 +0100
//       MR !1 = 60 + 60 + 60 = 180 (08:00Z → 09:00Z → 10:00Z → 11:00Z)
//   issue #1 labelled incident 03-11 13:00 +0100, closed 14:30 +0100 → against deployment 2: recovery 150
//   deployment 3 of G1 at "2025-03-31 00:30:00 +0200" = 03-30 22:30 UTC: in the window, on 03-30
//   → 3 deployments, days {10, 11, 30}, lead [180], failed 1 of 3, recovery [150]
//
// checkout (no repository; through `paved events` with the team's CI token):
//   R-1 03-12 10:00; change C-1 first commit 06:00, merged 09:00, shipped by R-2 (03-13 10:00)
//       C-1 = 180 (06:00 → 09:00, no opening time) + 1500 (03-12 09:00 → 03-13 10:00) = 1680
//   incident INC-1 03-13 11:00 → 11:45: against R-2, recovery 105
//   → 2 deployments, days {12, 13}, lead [1680], failed 1 of 2, recovery [105]
//
// team payments (all three):
//   15 deployments; days per week: {3,4,5,7} 4, {10,11,12,13} 4, {17,18,19,20} 4, {24,28,30} 3
//   → sorted [3, 4, 4, 4] → lower median 4 (high); March: 15 days
//   lead [120, 150, 180, 300, 1140, 1380, 1680] → lower median (index 3) 300 (elite), 7 changes
//   failed 3 + 1 + 1 = 5 of 15 = 33.3 % (low); recovery [90, 105, 150, 1200] → 105 (high), 4 incidents
//   rework 1 of 15
//
// acme/legacy sends a production deployment (03-25) and an incident (03-26) before any service
// claims it: unclaimed in the organisation's report, counted once `legacy` claims it (16 deployments).
// ------------------------------------------------------------------------------------------

const pay = github('acme/payments-api');
const legacy = github('acme/legacy');
const bill = gitlab('acme/billing');
let statusId = 100;

function githubMonth(): Delivery[] {
  const d = (event: string, body: Record<string, unknown>) => githubDelivery(event, body, { secret: GITHUB_SECRET });
  const push = (branch: string, before: string, after: string, commits: [string, string, boolean?][]) =>
    d('push', pay.push(branch, before === '0' ? '0'.repeat(40) : sha(before), sha(after), commits.map(([c, at, distinct]) => ({ sha: sha(c), at, distinct: distinct ?? true }))));
  const status = (deployment: number, environment: string, commit: string, state: string, created: string, at: string) =>
    d('deployment_status', pay.deploymentStatus({ deployment, status: ++statusId, environment, sha: sha(commit), created, state, at }));
  const pr = (n: number, head: string, opened: string, merged?: [string, string]) =>
    d('pull_request', pay.pullRequest(n, { head, opened, updated: merged?.[0] ?? opened, ...(merged ? { merged: { at: merged[0], sha: sha(merged[1]) } } : {}) }));
  const issue = (action: 'opened' | 'labeled' | 'closed', n: number, labels: string[], created: string, updated: string, closed?: string) =>
    d('issues', pay.issue(action, { number: n, labels, created, updated, ...(closed ? { closed } : {}) }));
  return [
    push('main', '0', 'M0', [['M0', '2025-03-03T09:00:00Z']]),
    status(1, 'production', 'M0', 'success', '2025-03-03T09:58:00Z', '2025-03-03T10:00:00Z'),
    push('feat/a', '0', 'c1', [['c1', '2025-03-03T12:00:00+01:00']]),
    pr(1, 'feat/a', '2025-03-03T12:00:00Z'),
    pr(1, 'feat/a', '2025-03-03T12:00:00Z', ['2025-03-03T15:00:00Z', 'M1']),
    push('main', 'M0', 'M1', [['c1', '2025-03-03T11:00:00Z', false], ['M1', '2025-03-03T15:00:00Z']]),
    status(2, 'staging', 'M1', 'success', '2025-03-03T15:25:00Z', '2025-03-03T15:30:00Z'),
    status(3, 'production', 'M1', 'in_progress', '2025-03-04T09:50:00Z', '2025-03-04T09:55:00Z'),
    status(3, 'production', 'M1', 'success', '2025-03-04T09:50:00Z', '2025-03-04T10:00:00Z'),
    push('feat/b', '0', 'c2', [['c2', '2025-03-05T09:00:00Z']]),
    pr(2, 'feat/b', '2025-03-05T09:30:00Z', ['2025-03-05T10:00:00Z', 'M2']),
    push('main', 'M1', 'M2', [['M2', '2025-03-05T10:00:00Z']]),
    status(4, 'production', 'M2', 'failure', '2025-03-05T10:50:00Z', '2025-03-05T11:00:00Z'),
    status(5, 'production', 'M2', 'success', '2025-03-05T11:20:00Z', '2025-03-05T11:30:00Z'),
    issue('opened', 10, [], '2025-03-05T12:00:00Z', '2025-03-05T12:00:00Z'),
    issue('labeled', 10, ['Incident'], '2025-03-05T12:00:00Z', '2025-03-05T12:05:00Z'),
    issue('closed', 10, ['Incident'], '2025-03-05T12:00:00Z', '2025-03-05T13:00:00Z', '2025-03-05T13:00:00Z'),
    issue('opened', 11, ['bug'], '2025-03-06T09:00:00Z', '2025-03-06T09:00:00Z'),
    status(6, 'production', 'M2', 'success', '2025-03-07T09:55:00Z', '2025-03-07T10:00:00Z'),
    push('feat/c', '0', 'c3', [['c3', '2025-03-11T09:00:00Z']]),
    pr(3, 'feat/c', '2025-03-11T09:30:00Z'),
    push('feat/d', '0', 'c4b', [['c4a', '2025-03-17T09:00:00Z'], ['c4b', '2025-03-17T10:00:00Z']]),
    pr(4, 'feat/d', '2025-03-17T10:30:00Z', ['2025-03-17T11:00:00Z', 'M4']),
    push('main', 'M2', 'M4', [['c4a', '2025-03-17T09:00:00Z', false], ['c4b', '2025-03-17T10:00:00Z', false], ['M4', '2025-03-17T11:00:00Z']]),
    push('feat/e', '0', 'c5', [['c5', '2025-03-17T12:00:00Z']]),
    pr(5, 'feat/e', '2025-03-17T12:10:00Z', ['2025-03-17T12:30:00Z', 'M5']),
    push('main', 'M4', 'M5', [['c5', '2025-03-17T12:00:00Z', false], ['M5', '2025-03-17T12:30:00Z']]),
    status(7, 'production', 'M5', 'success', '2025-03-17T13:50:00Z', '2025-03-17T14:00:00Z'),
    issue('opened', 12, ['INCIDENT'], '2025-03-18T08:00:00Z', '2025-03-18T08:00:00Z'),
    status(8, 'production', 'M2', 'success', '2025-03-18T08:55:00Z', '2025-03-18T09:00:00Z'),
    issue('closed', 12, ['INCIDENT'], '2025-03-18T08:00:00Z', '2025-03-18T10:00:00Z', '2025-03-18T10:00:00Z'),
    status(9, 'production', 'M5', 'success', '2025-03-19T09:55:00Z', '2025-03-19T10:00:00Z'),
    push('feat/f', '0', 'c6', [['c6', '2025-03-19T15:00:00Z']]),
    pr(6, 'feat/f', '2025-03-19T16:00:00Z', ['2025-03-20T09:00:00Z', 'M6']),
    push('main', 'M5', 'M6', [['c6', '2025-03-19T15:00:00Z', false], ['M6', '2025-03-20T09:00:00Z']]),
    status(10, 'production', 'M6', 'success', '2025-03-20T09:55:00Z', '2025-03-20T10:00:00Z'),
    status(11, 'production', 'M6', 'success', '2025-03-24T09:55:00Z', '2025-03-24T10:00:00Z'),
    status(12, 'production', 'M6', 'success', '2025-03-28T09:55:00Z', '2025-03-28T10:00:00Z'),
    issue('opened', 13, ['Incident'], '2025-03-30T20:00:00Z', '2025-03-30T20:00:00Z'),
    // acme/legacy: no service claims it yet.
    d('deployment_status', legacy.deploymentStatus({ deployment: 900, status: ++statusId, environment: 'prod', sha: sha('L1'), created: '2025-03-25T09:00:00Z', state: 'success', at: '2025-03-25T09:05:00Z' })),
    d('issues', legacy.issue('opened', { number: 1, labels: ['incident'], created: '2025-03-26T09:00:00Z', updated: '2025-03-26T09:00:00Z' })),
  ];
}

function gitlabMonth(): Delivery[] {
  const d = (event: string, body: Record<string, unknown>) => gitlabDelivery(event, body, { token: GITLAB_TOKEN });
  return [
    d('Push Hook', bill.push('main', '0'.repeat(40), sha('G0'), [{ sha: sha('G0'), at: '2025-03-10T09:00:00+01:00' }])),
    d('Deployment Hook', bill.deployment({ id: 1, status: 'success', at: '2025-03-10 10:00:00 +0100', environment: 'production', sha: sha('G0') })),
    d('Push Hook', bill.push('fix-vat', '0'.repeat(40), sha('g1'), [{ sha: sha('g1'), at: '2025-03-11T09:00:00+01:00' }])),
    d('Merge Request Hook', bill.mergeRequest(1, { source: 'fix-vat', created: '2025-03-11 10:00:00 +0100', updated: '2025-03-11 10:00:00 +0100', action: 'open' })),
    d('Merge Request Hook', bill.mergeRequest(1, { source: 'fix-vat', created: '2025-03-11 10:00:00 +0100', updated: '2025-03-11 11:00:00 +0100', action: 'merge', mergeSha: sha('G1') })),
    d('Push Hook', bill.push('main', sha('G0'), sha('G1'), [{ sha: sha('g1'), at: '2025-03-11T09:00:00+01:00' }, { sha: sha('G1'), at: '2025-03-11T11:00:00+01:00' }])),
    d('Pipeline Hook', bill.pipeline()),
    d('Deployment Hook', bill.deployment({ id: 2, status: 'running', at: '2025-03-11 11:50:00 +0100', environment: 'production', sha: sha('G1') })),
    d('Deployment Hook', bill.deployment({ id: 2, status: 'success', at: '2025-03-11 12:00:00 +0100', environment: 'production', sha: sha('G1') })),
    d('Issue Hook', bill.issue({ iid: 1, labels: ['incident'], created: '2025-03-11 13:00:00 +0100', updated: '2025-03-11 13:00:00 +0100', action: 'open' })),
    d('Issue Hook', bill.issue({ iid: 1, labels: ['incident'], created: '2025-03-11 13:00:00 +0100', updated: '2025-03-11 14:30:00 +0100', closed: '2025-03-11 14:30:00 +0100', action: 'close' })),
    d('Deployment Hook', bill.deployment({ id: 3, status: 'success', at: '2025-03-31 00:30:00 +0200', environment: 'production', sha: sha('G1') })),
  ];
}

/** A fixed shuffle (a linear congruential generator), so a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe.each(['sqlite', 'postgres'] as const)('DORA metrics from a month of deliveries, the state in %s', (storeKind) => {
  const skip = storeKind === 'postgres' && !postgresReachable;
  if (skip && process.env.CI === 'true') throw new Error('PostgreSQL is not reachable at 127.0.0.1:5432 (CI=true: failing)');
  if (skip) console.warn('skipping the PostgreSQL-backed DORA e2e: PostgreSQL is not reachable at 127.0.0.1:5432');

  let server: ServerProcess | undefined;
  let dropStore: (() => Promise<void>) | undefined;
  const dir = tempDir(`e2e-dora-${storeKind}`);
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  let ci: NodeJS.ProcessEnv;
  const report = async (args: string[], env: NodeJS.ProcessEnv = admin) =>
    JSON.parse(await pavedOk(['metrics', 'dora', ...args, '--from', '2025-03-03', '--to', '2025-03-30', '-o', 'json'], env));

  beforeAll(async () => {
    if (skip) return;
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...admin, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port), PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'warn',
      PAVED_GITHUB_WEBHOOK_SECRET: GITHUB_SECRET, PAVED_GITLAB_WEBHOOK_TOKEN: GITLAB_TOKEN,
    };
    if (storeKind === 'postgres') {
      const db = await tempDatabase('e2e_dora');
      env.PAVED_DATABASE_URL = db.url;
      dropStore = db.drop;
    }
    server = await startServer(['up'], env, { port });
    await pavedOk(['teams', 'create', 'payments'], admin);
    await pavedOk(['services', 'create', 'payments-api', '--repo', 'https://github.com/acme/payments-api', '--team', 'payments'], admin);
    await pavedOk(['services', 'create', 'billing', '--repo', 'git@gitlab.example.com:acme/billing.git', '--team', 'payments'], admin);
    await pavedOk(['services', 'create', 'checkout', '--team', 'payments'], admin);
    const token = JSON.parse(await pavedOk(['tokens', 'create', 'ci', '--team', 'payments', '-o', 'json'], admin)).token as string;
    ci = { PAVED_CLI_CONFIG: join(dir, 'ci.json'), PAVED_URL: server.url, PAVED_TOKEN: token, PAVED_TEAM: 'payments' };
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await dropStore?.();
  });

  it.skipIf(skip)('takes the deliveries in any order, once each, and refuses forgeries', async () => {
    const deliveries = shuffled([...githubMonth(), ...gitlabMonth()], 20250303);
    const send = async (delivery: Delivery) => {
      const res = await fetch(`${server!.url}${delivery.path}`, { method: 'POST', headers: delivery.headers, body: delivery.body });
      return { status: res.status, body: await res.json() as { outcome?: string; code?: string } };
    };
    const outcomes: string[] = [];
    for (const [i, delivery] of deliveries.entries()) {
      const first = await send(delivery);
      expect(first.status, JSON.stringify(first.body)).toBe(202);
      outcomes.push(first.body.outcome!);
      // Every fifth delivery is delivered twice, as GitHub and GitLab retry.
      if (i % 5 === 0) expect((await send(delivery)).body.outcome).toMatch(/duplicate|ignored/);
    }
    expect(outcomes.filter((o) => o === 'ignored')).toHaveLength(1); // GitLab's pipeline
    // A forged incident, signed with the wrong secret: refused, stored nowhere.
    const forged = githubDelivery('issues', pay.issue('opened', { number: 99, labels: ['Incident'], created: '2025-03-04T12:00:00Z', updated: '2025-03-04T12:00:00Z' }), { secret: 'not-the-secret-not-the-secret' });
    expect((await send(forged)).status).toBe(401);
    const wrongToken = gitlabDelivery('Issue Hook', bill.issue({ iid: 9, labels: ['incident'], created: '2025-03-04 12:00:00 +0100', updated: '2025-03-04 12:00:00 +0100', action: 'open' }), { token: 'wrong' });
    expect((await send(wrongToken)).status).toBe(401);

    // checkout's events, from its CI system with the team's CI token.
    await pavedOk(['events', 'deployment', 'checkout', '--id', 'R-1', '--env', 'production', '--finished-at', '2025-03-12T10:00:00Z'], ci);
    await pavedOk(['events', 'change', 'checkout', '--id', 'C-1', '--first-commit-at', '2025-03-12T06:00:00Z', '--merged-at', '2025-03-12T09:00:00Z', '--deployment', 'R-2'], ci);
    await pavedOk(['events', 'deployment', 'checkout', '--id', 'R-2', '--env', 'production', '--finished-at', '2025-03-13T11:00:00+01:00'], ci);
    await pavedOk(['events', 'incident', 'checkout', '--id', 'INC-1', '--created-at', '2025-03-13T11:00:00Z'], ci);
    await pavedOk(['events', 'incident', 'checkout', '--id', 'INC-1', '--created-at', '2025-03-13T11:00:00Z', '--resolved-at', '2025-03-13T11:45:00Z'], ci);
  });

  it.skipIf(skip)('reports a service as worked out by hand', async () => {
    const r = await report(['--service', 'payments-api', '--team', 'payments']);
    expect(r.window).toEqual({ from: '2025-03-03', to: '2025-03-30', timeZone: 'UTC', days: 28, weeks: 4, months: 1 });
    expect(r.deployments).toBe(10);
    expect(r.deploymentFrequency).toEqual({ deploymentDays: 10, medianDeploymentDaysPerWeek: 2, medianDeploymentDaysPerMonth: 10, level: 'high' });
    expect(r.leadTime).toEqual({ changes: 5, medianMinutes: 300, level: 'elite' });
    expect(r.changeFailureRate).toEqual({ failed: 3, deployments: 10, rate: 0.3, level: 'low' });
    expect(r.failedDeploymentRecoveryTime).toEqual({ incidents: 2, medianMinutes: 90, level: 'high' });
    expect(r.reworkRate).toEqual({ reworked: 1, deployments: 10, rate: 0.1, level: null });
    expect(r.dataQuality.deploymentsWithoutChanges.count).toBe(6);
    expect(r.dataQuality.incidentsWithoutDeployment.count).toBe(0);

    const billing = await report(['--service', 'billing', '--team', 'payments']);
    expect(billing).toMatchObject({
      deployments: 3,
      deploymentFrequency: { deploymentDays: 3, medianDeploymentDaysPerWeek: 0, medianDeploymentDaysPerMonth: 3, level: 'medium' },
      leadTime: { changes: 1, medianMinutes: 180, level: 'elite' },
      changeFailureRate: { failed: 1, deployments: 3 },
      failedDeploymentRecoveryTime: { incidents: 1, medianMinutes: 150, level: 'high' },
    });
    const checkout = await report(['--service', 'checkout'], ci);
    expect(checkout).toMatchObject({
      deployments: 2,
      leadTime: { changes: 1, medianMinutes: 1680, level: 'high' },
      changeFailureRate: { failed: 1, deployments: 2, rate: 0.5, level: 'low' },
      failedDeploymentRecoveryTime: { incidents: 1, medianMinutes: 105, level: 'high' },
    });
  });

  it.skipIf(skip)('reports the team, and the organisation with the repository no service claims', async () => {
    const team = await report(['--team', 'payments']);
    expect(team.scope).toEqual({ kind: 'team', team: 'payments', services: ['payments/billing', 'payments/checkout', 'payments/payments-api'] });
    expect(team.deployments).toBe(15);
    expect(team.deploymentFrequency).toEqual({ deploymentDays: 15, medianDeploymentDaysPerWeek: 4, medianDeploymentDaysPerMonth: 15, level: 'high' });
    expect(team.leadTime).toEqual({ changes: 7, medianMinutes: 300, level: 'elite' });
    expect(team.changeFailureRate).toEqual({ failed: 5, deployments: 15, rate: 5 / 15, level: 'low' });
    expect(team.failedDeploymentRecoveryTime).toEqual({ incidents: 4, medianMinutes: 105, level: 'high' });
    expect(team.reworkRate).toEqual({ reworked: 1, deployments: 15, rate: 1 / 15, level: null });
    // The CI token sees its team without naming it.
    expect((await report([], ci)).deployments).toBe(15);

    const org = await report([]);
    expect(org.scope.kind).toBe('organisation');
    expect(org.deployments).toBe(15);
    expect(org.dataQuality.unclaimedRepositories).toEqual([{ repository: 'github.com/acme/legacy', deployments: 1, changes: 0, incidents: 1 }]);
    expect(org.dataQuality.incidentsWithoutService).toEqual({ count: 1 });
    expect(org.dataQuality.problems.join(' ')).toContain('paved services create NAME --repo URL');

    await pavedOk(['services', 'create', 'legacy', '--repo', 'https://github.com/acme/legacy', '--team', 'payments'], admin);
    const claimed = await report([]);
    expect(claimed.deployments).toBe(16);
    expect(claimed.dataQuality.unclaimedRepositories).toEqual([]);
    // legacy's incident (03-26) counts against its deployment (03-25): 6 failed of 16.
    expect(claimed.changeFailureRate).toMatchObject({ failed: 6, deployments: 16 });

    const table = await pavedOk(['metrics', 'dora', '--team', 'payments', '--from', '2025-03-03', '--to', '2025-03-30'], admin);
    expect(table).toContain('DORA metrics of team payments (4 services), 2025-03-03 to 2025-03-30 (UTC), 16 production deployments');
    expect(table).toMatch(/change failure rate\s+37\.5 % \(6 of 16 deployments\)\s+low/);
  });
});
