import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '@paved/model';
import { createStore, newApprovalId } from '@paved/store';
import { markReady, startHarness, testManifest, type Caller, type Harness } from '../test-harness.js';
import { csrfTokenFor } from '../identity/oidc/cookies.js';
import { startTestIdp, type TestIdp } from '../identity/oidc/idp.test-support.js';
import { DEFAULT_GROUP_PATTERN, parseGroupPattern } from '../identity/oidc/settings.js';
import { generateToken, hashToken } from '../identity/tokens.js';

/**
 * The authorization matrix: every route of the OpenAPI document, called by every kind of
 * caller, must answer as docs/authorization.md says — a generated table, not a hand-picked
 * sample. A new route fails this test until it has a request below and a row in the doc.
 *
 * Callers: `own` is a developer team, `other` another one, `plat` the platform team that owns
 * product `pgdb`. The `read-only` and `ci-other` columns are the owner of `own` with a narrowed
 * token: read-only, and limited to team `other` (of which that owner is also a member).
 * User-scoped routes (`/users/{user}…`) act on the member's account.
 *
 * Authorization does not depend on the store's dialect, so this runs on SQLite only.
 */

const DOC = fileURLToPath(new URL('../../../../docs/authorization.md', import.meta.url));
const TEMPLATES = fileURLToPath(new URL('../../../../templates', import.meta.url));
const COLUMNS = ['anonymous', 'outsider', 'viewer', 'member', 'owner', 'platform', 'admin', 'read-only', 'ci-other'] as const;
type Column = (typeof COLUMNS)[number];
type Outcome = '✓' | '401' | '403' | '404';

interface Request {
  url: string;
  body?: unknown;
}

/** Per operation: a valid request. Called once per cell, so destructive routes act on something new each time. */
type RequestFor = (fixture: Fixture) => Promise<Request> | Request;

interface Fixture {
  h: Harness;
  instance: Instance;
  fresh(prefix: string): string;
}

const own = '/api/v1/teams/own';
const stream = `${own}/services/web/environments/dev`;
const score = { apiVersion: 'score.dev/v1b1', metadata: { name: 'web' }, containers: { app: { image: '.' } } };

const REQUESTS: Record<string, RequestFor> = {
  getLiveness: () => ({ url: '/healthz' }),
  getReadiness: () => ({ url: '/readyz' }),
  driverCallback: ({ instance }) => ({ url: `/api/v1/callbacks/webhook/${instance.id}`, body: { instanceId: instance.id, deliveryId: 'd', verb: 'create', status: 'succeeded' } }),
  whoami: () => ({ url: '/api/v1/whoami' }),
  listUsers: () => ({ url: '/api/v1/users' }),
  createUser: ({ fresh }) => ({ url: '/api/v1/users', body: { name: fresh('user') } }),
  updateUser: () => ({ url: '/api/v1/users/member', body: { disabled: false } }),
  listTokens: () => ({ url: '/api/v1/users/member/tokens' }),
  createToken: ({ fresh }) => ({ url: '/api/v1/users/member/tokens', body: { name: fresh('token') } }),
  revokeToken: async ({ h, fresh }) => {
    const user = (await h.store.getUser({ name: 'member' }))!;
    const token = await h.store.createToken({ userId: user.id, name: fresh('spare'), hash: fresh('hash').padEnd(64, '0') });
    return { url: `/api/v1/users/member/tokens/${token.id}` };
  },
  listTeams: () => ({ url: '/api/v1/teams' }),
  createTeam: ({ fresh }) => ({ url: '/api/v1/teams', body: { name: fresh('team') } }),
  getTeam: () => ({ url: own }),
  updateTeam: () => ({ url: own, body: { title: 'Own team' } }),
  listMembers: () => ({ url: `${own}/members` }),
  setMembership: () => ({ url: `${own}/members/newcomer`, body: { role: 'viewer' } }),
  removeMember: async ({ h }) => {
    await h.store.setMembership({ teamId: (await h.store.getTeam({ name: 'own' }))!.id, userId: (await h.store.getUser({ name: 'leaver' }))!.id, role: 'viewer' });
    return { url: `${own}/members/leaver` };
  },
  listEnvironments: () => ({ url: '/api/v1/environments' }),
  createEnvironment: ({ fresh }) => ({ url: '/api/v1/environments', body: { name: fresh('env') } }),
  getEnvironment: () => ({ url: '/api/v1/environments/dev' }),
  updateEnvironment: () => ({ url: '/api/v1/environments/dev', body: { description: 'Development' } }),
  listAllServices: () => ({ url: '/api/v1/services' }),
  listServices: () => ({ url: `${own}/services` }),
  createService: ({ fresh }) => ({ url: `${own}/services`, body: { name: fresh('svc') } }),
  getService: () => ({ url: `${own}/services/web` }),
  updateService: () => ({ url: `${own}/services/web`, body: { description: 'The web app' } }),
  deleteService: async ({ h, fresh }) => {
    const name = fresh('gone');
    await h.store.createService({ teamId: (await h.store.getTeam({ name: 'own' }))!.id, name, description: '', lifecycle: 'experimental' });
    return { url: `${own}/services/${name}` };
  },
  listProducts: () => ({ url: '/api/v1/products' }),
  publishProduct: ({ fresh }) => ({ url: '/api/v1/products', body: testManifest('plat', (m) => { m.spec.version = `1.${fresh('v').replace(/\D/g, '')}.0`; }) }),
  getProduct: () => ({ url: '/api/v1/products/pgdb' }),
  getProductVersion: () => ({ url: '/api/v1/products/pgdb/versions/1.2.0' }),
  transferProduct: () => ({ url: '/api/v1/products/pgdb/owner', body: { owner: 'plat' } }),
  listProductInstances: () => ({ url: '/api/v1/products/pgdb/instances' }),
  diffProductVersions: () => ({ url: '/api/v1/products/pgdb/diff?from=1.2.0&to=1.2.0' }),
  getProductChangelog: () => ({ url: '/api/v1/products/pgdb/changelog' }),
  listProductDeprecations: () => ({ url: '/api/v1/products/pgdb/deprecations' }),
  // Dates far ahead: a deprecation left behind never refuses another row's new instance.
  deprecateProduct: () => ({ url: '/api/v1/products/pgdb/deprecation', body: { date: '2099-12-31', reason: 'matrix' } }),
  undeprecateProduct: async ({ h }) => {
    await h.store.setDeprecation({ product: 'pgdb', date: '2099-12-31', reason: 'matrix', by: 'test' });
    return { url: '/api/v1/products/pgdb/deprecation' };
  },
  deprecateProductVersion: () => ({ url: '/api/v1/products/pgdb/versions/1.2.0/deprecation', body: { date: '2099-12-31', reason: 'matrix' } }),
  undeprecateProductVersion: async ({ h }) => {
    await h.store.setDeprecation({ product: 'pgdb', version: '1.2.0', date: '2099-12-31', reason: 'matrix', by: 'test' });
    return { url: '/api/v1/products/pgdb/versions/1.2.0/deprecation' };
  },
  getProductRoadmap: () => ({ url: '/api/v1/products/pgdb/roadmap' }),
  addRoadmapItem: () => ({ url: '/api/v1/products/pgdb/roadmap', body: { title: 'matrix' } }),
  changeRoadmapItem: async ({ h }) => ({ url: `/api/v1/products/pgdb/roadmap/${(await h.store.addRoadmapItem({ product: 'pgdb', title: 'm', status: 'planned' })).id}`, body: { status: 'shipped' } }),
  removeRoadmapItem: async ({ h }) => ({ url: `/api/v1/products/pgdb/roadmap/${(await h.store.addRoadmapItem({ product: 'pgdb', title: 'm', status: 'planned' })).id}` }),
  listProductRequests: () => ({ url: '/api/v1/products/pgdb/requests' }),
  addProductRequest: () => ({ url: '/api/v1/products/pgdb/requests', body: { text: 'matrix' } }),
  voteProductRequest: async ({ h }) => {
    const request = await h.store.addProductRequest({ product: 'pgdb', text: 'm', authorId: h.admin.user.id });
    return { url: `/api/v1/products/pgdb/requests/${request.id}/votes` };
  },
  listInstances: () => ({ url: `${own}/instances` }),
  createInstance: ({ fresh }) => ({ url: `${own}/instances`, body: { name: fresh('db'), product: 'pgdb' } }),
  getInstance: () => ({ url: `${own}/instances/db` }),
  updateInstance: () => ({ url: `${own}/instances/db`, body: { plan: 'small' } }),
  deleteInstance: async ({ h, fresh }) => {
    const name = fresh('old');
    const team = (await h.store.getTeam({ name: 'own' }))!;
    await h.store.createInstance({ teamId: team.id, name, product: 'pgdb', productVersion: '1.2.0', plan: 'small', inputs: {}, externalName: `pv_${name}`, target: 'test-mem', createdBy: 'test' });
    return { url: `${own}/instances/${name}` };
  },
  revealCredentials: () => ({ url: `${own}/instances/db/credentials:reveal`, body: {} }),
  rotateInstance: () => ({ url: `${own}/instances/db/rotate`, body: {} }),
  reconcileInstance: () => ({ url: `${own}/instances/db/reconcile`, body: {} }),
  listEvents: () => ({ url: `${own}/events` }),
  watchInstance: () => ({ url: `${own}/instances/db/watch` }),
  applyWorkload: () => ({ url: `${stream}/workload`, body: { score } }),
  listWorkloadInstances: () => ({ url: `${stream}/instances` }),
  getWorkloadConfig: () => ({ url: `${stream}/config` }),
  setWorkloadConfig: () => ({ url: `${stream}/config`, body: { values: { GREETING: 'hello' } } }),
  appendLogLines: () => ({ url: `${stream}/logs`, body: { lines: [{ stream: 'stdout', line: 'hello' }] } }),
  listLogLines: () => ({ url: `${stream}/logs` }),
  followLogLines: () => ({ url: `${stream}/logs/follow` }),
  pruneLogs: () => ({ url: '/api/v1/admin/logs:prune', body: {} }),
  listTemplates: () => ({ url: '/api/v1/templates' }),
  getTemplate: () => ({ url: '/api/v1/templates/node-postgres' }),
  importBackstage: () => ({ url: '/api/v1/backstage/import', body: { entities: [], dryRun: true } }),
  exportBackstage: () => ({ url: '/api/v1/backstage/export' }),
  oidcInfo: () => ({ url: '/api/v1/auth/oidc' }),
  oidcLogin: () => ({ url: '/api/v1/auth/oidc/login' }),
  oidcCallback: ({ fresh }) => ({ url: `/api/v1/auth/oidc/callback?state=${fresh('state')}&code=c` }),
  oidcRedeemHandoff: () => ({ url: '/api/v1/auth/oidc/handoff', body: { code: 'c'.repeat(43), verifier: 'v'.repeat(43) } }),
  oidcStartDevice: () => ({ url: '/api/v1/auth/oidc/device', body: {} }),
  oidcPollDevice: () => ({ url: '/api/v1/auth/oidc/device/token', body: { loginId: 'l'.repeat(43) } }),
  linkUserIdentity: ({ fresh }) => ({ url: '/api/v1/users/newcomer/identity', body: { subject: fresh('subject') } }),
  logout: () => ({ url: '/api/v1/auth/logout', body: {} }),
  listAudit: () => ({ url: '/api/v1/audit?team=own' }),
  exportAudit: () => ({ url: '/api/v1/audit/export' }),
  listAuditKeys: () => ({ url: '/api/v1/audit/keys' }),
  listProductMeasures: () => ({ url: '/api/v1/metrics/products' }),
  getProductMeasures: () => ({ url: '/api/v1/metrics/products/pgdb' }),
  getAdoption: () => ({ url: '/api/v1/metrics/adoption' }),
  getInterventions: () => ({ url: '/api/v1/metrics/interventions?team=own' }),
  recordIntervention: () => ({ url: `${own}/instances/db/interventions`, body: { kind: 'manual-fix', note: 'Fixed by hand' } }),
  giveFeedback: () => ({ url: '/api/v1/products/pgdb/feedback', body: { score: 4 } }),
  getProductFeedback: () => ({ url: '/api/v1/products/pgdb/feedback' }),
  requestHelp: () => ({ url: `${own}/instances/db/help`, body: { message: 'Please help' } }),
  listHelpRequests: () => ({ url: '/api/v1/products/pgdb/help-requests' }),
  githubWebhook: () => ({ url: '/api/v1/webhooks/github', body: { zen: 'Keep it logically awesome.' } }),
  gitlabWebhook: () => ({ url: '/api/v1/webhooks/gitlab', body: { object_kind: 'push' } }),
  recordDeployment: ({ fresh }) => ({ url: `${own}/services/web/deployments`, body: { id: fresh('deploy'), environment: 'production', finishedAt: '2025-03-03T10:00:00Z' } }),
  recordChange: ({ fresh }) => ({ url: `${own}/services/web/changes`, body: { id: fresh('change'), mergedAt: '2025-03-03T09:00:00Z' } }),
  recordIncident: ({ fresh }) => ({ url: `${own}/services/web/incidents`, body: { id: fresh('incident'), createdAt: '2025-03-03T11:00:00Z' } }),
  getDoraMetrics: () => ({ url: '/api/v1/metrics/dora?team=own&from=2025-03-03&to=2025-03-09' }),
  listWebhookSettings: () => ({ url: '/api/v1/admin/webhooks' }),
  setWebhookSecret: ({ fresh }) => ({ url: '/api/v1/admin/webhooks/github/secret', body: { secret: `${fresh('secret')}-0123456789abcdef` } }),
  listTargets: () => ({ url: '/api/v1/admin/targets' }),
  upgradeInstance: () => ({ url: `${own}/instances/db/upgrade`, body: { to: '1.3.0', dryRun: true } }),
  holdInstance: () => ({ url: `${own}/instances/db/hold`, body: { reason: 'freeze' } }),
  unholdInstance: () => ({ url: `${own}/instances/db/hold` }),
  listRollouts: () => ({ url: '/api/v1/rollouts' }),
  startRollout: () => ({ url: '/api/v1/products/pgdb/rollouts', body: { to: '1.3.0' } }),
  getRollout: async ({ h }) => ({ url: `/api/v1/products/${await withRollout(h)}/rollout` }),
  pauseRollout: async ({ h }) => ({ url: `/api/v1/products/${await withRollout(h)}/rollout/pause`, body: {} }),
  resumeRollout: async ({ h }) => ({ url: `/api/v1/products/${await withRollout(h)}/rollout/resume`, body: {} }),
  listPolicies: () => ({ url: '/api/v1/policies' }),
  getPolicy: async ({ h }) => {
    await h.store.putPolicyVersion({ name: 'guard', version: '1.0.0', owner: 'plat', manifest: matrixPolicy('1.0.0'), digest: 'guard-1', appliedBy: 'platform' });
    return { url: '/api/v1/policies/guard' };
  },
  applyPolicy: ({ fresh }) => ({ url: '/api/v1/policies', body: matrixPolicy(`1.${fresh('v').replace(/\D/g, '')}.0`) }),
  listApprovals: () => ({ url: '/api/v1/approvals' }),
  getApproval: async ({ h, fresh }) => ({ url: `/api/v1/approvals/${await heldRequest(h, fresh('held'))}` }),
  approveRequest: async ({ h, fresh }) => ({ url: `/api/v1/approvals/${await heldRequest(h, fresh('held'))}/approve`, body: {} }),
  denyRequest: async ({ h, fresh }) => ({ url: `/api/v1/approvals/${await heldRequest(h, fresh('held'))}/deny`, body: { reason: 'use small' } }),
  getInstanceHistory: () => ({ url: `${own}/instances/db/history` }),
};

/** pgdb, with a rollout (started through the store when no request started one yet). */
async function withRollout(h: Harness): Promise<string> {
  if ((await h.store.latestRollout('pgdb')) === undefined) {
    const plat = (await h.store.getTeam({ name: 'plat' }))!;
    const settings = { canaryPercent: 10, batchGrowth: 2, soakMs: 1000, readyTimeoutMs: 60_000 };
    await h.store.createRollout({ product: 'pgdb', toVersion: '1.3.0', settings, createdBy: 'platform', ownerTeamId: plat.id, targets: [], waves: 1 });
  }
  return 'pgdb';
}

function matrixPolicy(version: string) {
  return { apiVersion: 'paved.dev/v1alpha1', kind: 'Policy', metadata: { name: 'guard', owner: 'plat' }, spec: { version, match: { plans: ['huge'] }, validations: [{ expression: 'true', message: 'always passes' }] } } as const;
}

/** An instance of team own waiting for approval by team plat, asked for by someone who is no caller; its approval id. */
async function heldRequest(h: Harness, name: string): Promise<string> {
  const team = (await h.store.getTeam({ name: 'own' }))!;
  const id = newApprovalId();
  const decisions = [{ policy: 'guard', version: '1.0.0', action: 'requireApproval' as const, result: 'failed' as const, message: 'needs approval' }];
  await h.store.createInstance({
    teamId: team.id, name, product: 'pgdb', productVersion: '1.2.0', plan: 'small', inputs: {}, externalName: `pv_${name}`, target: 'test-mem', createdBy: 'requester',
    approval: { id, approvers: 'plat', decisions },
  });
  return id;
}

interface Route {
  operationId: string;
  method: string;
  path: string;
  eventStream: boolean;
}

function routesOf(h: Harness): Route[] {
  const doc = h.app.swagger() as { paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, { content?: Record<string, unknown> }> }>> };
  return Object.entries(doc.paths).flatMap(([path, operations]) => Object.entries(operations).map(([method, op]) => ({
    operationId: op.operationId ?? `${method} ${path}`,
    method: method.toUpperCase(),
    path,
    // Only a route that answers nothing but a stream is asked as one (a GET): createInstance's 200
    // is also a stream with `?wait=ready`, but the matrix asks its plain create, a POST.
    eventStream: method === 'get' && op.responses?.['200']?.content?.['text/event-stream'] !== undefined,
  })));
}

/** The documented table: operationId → outcome per column. */
function documented(): Map<string, Record<Column, Outcome>> {
  const text = readFileSync(DOC, 'utf8');
  const block = /<!-- matrix:start -->\n([\s\S]*?)\n<!-- matrix:end -->/.exec(text);
  if (!block) throw new Error('docs/authorization.md has no <!-- matrix:start --> … <!-- matrix:end --> block');
  const rows = new Map<string, Record<Column, Outcome>>();
  for (const line of block[1]!.split('\n').slice(2)) {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    const operationId = cells[0]!.replace(/`/g, '');
    rows.set(operationId, Object.fromEntries(COLUMNS.map((column, i) => [column, cells[i + 2] as Outcome])) as Record<Column, Outcome>);
  }
  return rows;
}

function outcomeOf(status: number): Outcome {
  return status === 401 || status === 403 || status === 404 ? (String(status) as Outcome) : '✓';
}

describe('authorization matrix (docs/authorization.md)', () => {
  let h: Harness;
  let base: string;
  const callers = new Map<Column, Caller | undefined>();
  let counter = 0;
  const fixture = (): Fixture => ({ h, instance, fresh: (prefix) => `${prefix}-${++counter}` });
  let instance: Instance;
  let idp: TestIdp;

  beforeAll(async () => {
    const store = await createStore({ url: ':memory:' });
    await store.migrate();
    const redirectUri = 'http://127.0.0.1:7468/api/v1/auth/oidc/callback';
    idp = await startTestIdp({ redirectUris: [redirectUri] });
    const oidc = {
      issuer: idp.issuer, clientId: idp.clientId, scopes: ['openid'], redirectUri, usernameClaim: 'preferred_username', groupsClaim: 'groups',
      groupPattern: parseGroupPattern(DEFAULT_GROUP_PATTERN) as RegExp, sessionTtlMs: 3_600_000,
    };
    h = await startHarness(store, { templatesDir: TEMPLATES, oidc });
    const [outsider, viewer, member, owner, platform] = await Promise.all(['outsider', 'viewer', 'member', 'owner', 'platform'].map((name) => h.user(name)));
    await Promise.all(['newcomer', 'leaver'].map((name) => h.user(name)));
    await h.team('own', [[viewer!, 'viewer'], [member!, 'member'], [owner!, 'owner']]);
    await h.team('other', [[outsider!, 'member'], [owner!, 'member']]);
    await h.team('plat', [[platform!, 'member']], { platform: true });
    await h.product('plat');
    await h.product('plat', (m) => { m.spec.version = '1.3.0'; });
    await h.product('plat', (m) => { m.spec.version = '1.3.0'; });
    const created = await h.call(member, 'POST', `${own}/instances`, { name: 'db', product: 'pgdb' });
    instance = created.json() as Instance;
    await markReady(h.store, instance, { host: 'h' });
    const team = (await h.store.getTeam({ name: 'own' }))!;
    await h.store.createService({ teamId: team.id, name: 'web', description: '', lifecycle: 'experimental' });
    const token = async (body: Record<string, unknown>) => ({ user: owner!.user, token: (await h.call(owner, 'POST', '/api/v1/users/owner/tokens', body)).json().token as string });
    callers.set('anonymous', undefined).set('outsider', outsider).set('viewer', viewer).set('member', member).set('owner', owner)
      .set('platform', platform).set('admin', h.admin)
      .set('read-only', await token({ name: 'reader', readOnly: true }))
      .set('ci-other', await token({ name: 'ci', team: 'other' }));
    base = await h.app.listen({ host: '127.0.0.1', port: 0 }).then(() => `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await h.close();
    await idp.close();
  });

  /** An event stream never ends by itself: read its status line, then hang up. */
  async function streamStatus(url: string, caller: Caller | undefined, headers?: Record<string, string>): Promise<number> {
    const abort = new AbortController();
    const res = await fetch(`${base}${url}`, { headers: headers ?? (caller ? { authorization: `Bearer ${caller.token}` } : {}), signal: abort.signal });
    abort.abort();
    return res.status;
  }

  it('answers every route for every caller as the documented table says', async () => {
    const routes = routesOf(h);
    const doc = documented();
    const problems: string[] = [];
    const actualTable: string[] = [];
    for (const route of routes) {
      const request = REQUESTS[route.operationId];
      if (!request) {
        problems.push(`${route.operationId} (${route.method} ${route.path}): no request in REQUESTS of access/matrix.test.ts`);
        continue;
      }
      const cells: Outcome[] = [];
      for (const column of COLUMNS) {
        const { url, body } = await request(fixture());
        const caller = callers.get(column);
        const status = route.eventStream
          ? await streamStatus(url, caller)
          : (await h.call(caller, route.method as 'GET', url, route.method === 'GET' || route.method === 'DELETE' ? undefined : body)).statusCode;
        expect(status, `${route.operationId} as ${column}: a 5xx is never an authorization answer`).toBeLessThan(500);
        cells.push(outcomeOf(status));
      }
      actualTable.push(`| \`${route.operationId}\` | \`${route.method} ${route.path}\` | ${cells.join(' | ')} |`);
      const expected = doc.get(route.operationId);
      if (!expected) {
        problems.push(`${route.operationId}: no row in docs/authorization.md`);
        continue;
      }
      COLUMNS.forEach((column, i) => {
        if (expected[column] !== cells[i]) problems.push(`${route.operationId} as ${column}: documented ${expected[column]}, answered ${cells[i]}`);
      });
    }
    for (const operationId of doc.keys()) {
      if (!routes.some((r) => r.operationId === operationId)) problems.push(`${operationId}: documented but not a route of the OpenAPI document`);
    }
    // On a mismatch, the table as answered is printed to compare with (never copy it blindly).
    expect(problems, `answered:\n${actualTable.join('\n')}`).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(50);
  });

  it("answers a browser's session cookie as its user's token, and refuses changes without the CSRF header", async () => {
    const member = callers.get('member')!;
    // A session of its own for each request: logout ends the one it is sent with.
    const session = async () => {
      const token = generateToken();
      await h.store.createToken({ userId: member.user.id, name: 'browser-session', hash: hashToken(token), source: 'oidc', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      return token;
    };
    const doc = documented();
    const problems: string[] = [];
    for (const route of routesOf(h)) {
      const request = REQUESTS[route.operationId];
      const expected = doc.get(route.operationId);
      if (!request || !expected) continue; // the first test names these
      const safe = route.method === 'GET';
      // Routes that take no token (anonymous is served) do not read the cookie either.
      const takesToken = expected.anonymous === '401' && expected.member !== '401';
      for (const csrf of [true, false]) {
        const { url, body } = await request(fixture());
        const token = await session();
        const headers: Record<string, string> = { cookie: `paved_session=${token}`, ...(csrf ? { 'x-paved-csrf': csrfTokenFor(token) } : {}) };
        const status = route.eventStream
          ? await streamStatus(url, undefined, headers)
          : (await h.app.inject({ method: route.method as 'GET', url, headers, ...(safe || route.method === 'DELETE' ? {} : { payload: body as object }) })).statusCode;
        const want = !csrf && !safe && takesToken ? '403' : expected.member;
        if (outcomeOf(status) !== want) problems.push(`${route.operationId} with a session cookie${csrf ? ' and the CSRF header' : ''}: expected ${want}, answered ${status}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
