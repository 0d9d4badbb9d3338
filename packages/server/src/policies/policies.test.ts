import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Instance, RequestPreview, WorkloadPlan } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import { startHarness, TEST_TARGETS, type Caller, type Harness } from '../test-harness.js';

/** The three guardrails docs/policies.md shows. */
const POLICIES = [
  {
    apiVersion: 'paved.dev/v1alpha1', kind: 'Policy', metadata: { name: 'large-only-in-prod', owner: 'platform' },
    spec: { version: '1.0.0', match: { products: ['pgdb'], plans: ['large'] }, validations: [{ expression: 'request.environment == "prod"', message: 'plan large is for prod only; choose plan small, or ask for it in environment prod' }] },
  },
  {
    apiVersion: 'paved.dev/v1alpha1', kind: 'Policy', metadata: { name: 'three-databases-in-dev', owner: 'platform' },
    spec: { version: '1.0.0', match: { products: ['pgdb'], environments: ['dev'], operations: ['create'] }, validations: [{ expression: 'usage.environment < 3', message: 'a team has at most 3 pgdb databases in dev; delete one first' }] },
  },
  {
    apiVersion: 'paved.dev/v1alpha1', kind: 'Policy', metadata: { name: 'name-starts-with-service', owner: 'platform' },
    spec: { version: '1.0.0', validations: [{ expression: 'request.service == "" || request.name.startsWith(request.service + "-")', message: "a workload's instances are named after its service: <service>-…" }] },
  },
];

const LARGE_NEEDS_APPROVAL = {
  apiVersion: 'paved.dev/v1alpha1', kind: 'Policy', metadata: { name: 'large-needs-approval', owner: 'platform' },
  spec: { version: '1.0.0', action: 'requireApproval', approvers: 'productOwner', match: { plans: ['large'], environments: ['prod'] }, validations: [{ expression: 'false', message: 'large databases in prod are approved by the platform team' }] },
};

eachStore('policies through the API', (open) => {
  let h: Harness;
  let pat: Caller; // member of the platform team (and of alpha and beta, to test four eyes)
  let pia: Caller; // another platform member
  let ann: Caller; // alpha owner
  let bob: Caller; // beta member
  const alpha = '/api/v1/teams/alpha/instances';

  beforeAll(async () => {
    h = await startHarness(await open(), { targets: [...TEST_TARGETS, { name: 'local-workloads', driver: 'score', labels: {}, config: {} }] });
    [pat, pia, ann, bob] = await Promise.all(['pat', 'pia', 'ann', 'bob'].map((name) => h.user(name)));
    await h.team('platform', [[pat!, 'member'], [pia!, 'member']]);
    await h.team('alpha', [[ann!, 'owner'], [pat!, 'member']]);
    await h.team('beta', [[bob!, 'member'], [pat!, 'member']]);
    await h.product('platform');
  });
  afterAll(() => h.close());

  const apply = (caller: Caller, policy: unknown) => h.call(caller, 'POST', '/api/v1/policies', policy);

  describe('applying', () => {
    it('applies versioned policies for their owner platform team, refusing developers', async () => {
      for (const policy of POLICIES) expect((await apply(pat, policy)).statusCode).toBe(201);
      expect((await apply(pat, POLICIES[0])).json()).toEqual({ policy: { name: 'large-only-in-prod', version: '1.0.0' }, result: 'unchanged' });
      const refused = await apply(ann, { ...POLICIES[0], spec: { ...POLICIES[0]!.spec, version: '1.1.0' } });
      expect([refused.statusCode, refused.json().code]).toEqual([403, 'not_platform_team']);
      const list = (await h.call(bob, 'GET', '/api/v1/policies')).json().items as { name: string; version: string }[];
      expect(list.map((p) => p.name)).toEqual(['large-only-in-prod', 'name-starts-with-service', 'three-databases-in-dev']);
      expect((await h.call(bob, 'GET', '/api/v1/policies/large-only-in-prod')).json()).toMatchObject({ owner: 'platform', action: 'deny', versions: ['1.0.0'], manifest: POLICIES[0] });
      expect((await h.call(bob, 'GET', '/api/v1/policies/nope')).json().code).toBe('policy_not_found');
    });

    it('refuses a policy with a syntax error naming its line and column, and applies nothing', async () => {
      const broken = { ...POLICIES[0], metadata: { name: 'broken', owner: 'platform' }, spec: { version: '1.0.0', validations: [{ expression: 'request.plan == "large" &&\n  request.environment ==', message: 'x' }] } };
      const res = await apply(pat, broken);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'policy_invalid', errors: [{ path: expect.stringMatching(/^spec\.validations\[0\]\.expression:2:\d+$/), message: expect.stringMatching(/^line 2, column \d+/) }] });
      const typed = await apply(pat, { ...broken, spec: { version: '1.0.0', validations: [{ expression: 'usage.product < "3"', message: 'x' }] } });
      expect(typed.json().errors[0].path).toBe('spec.validations[0].expression:1:1');
      expect((await h.call(pat, 'GET', '/api/v1/policies/broken')).statusCode).toBe(404);
    });
  });

  describe('at request time', () => {
    it('plan large only in prod: refused in dev naming the policy and what would pass; a dry run shows every decision first', async () => {
      const dry = await h.call(ann, 'POST', alpha, { name: 'big', product: 'pgdb', plan: 'large', environment: 'dev', dryRun: true });
      expect(dry.statusCode).toBe(200);
      const preview = dry.json() as RequestPreview;
      expect(preview.outcome).toBe('denied');
      expect(preview.decisions).toEqual([
        { policy: 'large-only-in-prod', version: '1.0.0', action: 'deny', result: 'failed', message: expect.stringContaining('choose plan small') },
        { policy: 'name-starts-with-service', version: '1.0.0', action: 'deny', result: 'passed' },
        { policy: 'three-databases-in-dev', version: '1.0.0', action: 'deny', result: 'passed' },
      ]);
      expect(preview.quotas).toEqual([{ product: 'pgdb', plan: 'large', used: 0, adding: 1, max: 2, passed: true }]);
      const refused = await h.call(ann, 'POST', alpha, { name: 'big', product: 'pgdb', plan: 'large', environment: 'dev' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'policy_denied', errors: [{ path: 'policy.large-only-in-prod', message: expect.stringContaining('choose plan small') }] });
      expect(refused.json().detail).toContain('policy large-only-in-prod');
      expect(await h.store.countInstances({})).toBe(0);
      const prod = await h.call(ann, 'POST', alpha, { name: 'big', product: 'pgdb', plan: 'large', environment: 'prod' });
      expect(prod.statusCode).toBe(202);
      expect(prod.json()).toMatchObject({ environment: 'prod', status: { phase: 'Pending' } });
      // A change is judged too: this instance may not move to large outside prod, so stays small in dev.
      await h.call(ann, 'POST', alpha, { name: 'small-one', product: 'pgdb', environment: 'staging' });
      const change = await h.call(ann, 'PATCH', `${alpha}/small-one`, { plan: 'large' });
      expect([change.statusCode, change.json().code]).toEqual([403, 'policy_denied']);
      expect((await h.call(ann, 'PATCH', `${alpha}/small-one`, { plan: 'large', dryRun: true })).json().outcome).toBe('denied');
    });

    it('no more than 3 databases per team in dev, counted per team', async () => {
      for (const name of ['dev-a', 'dev-b', 'dev-c']) expect((await h.call(ann, 'POST', alpha, { name, product: 'pgdb', environment: 'dev' })).statusCode).toBe(202);
      const fourth = await h.call(ann, 'POST', alpha, { name: 'dev-d', product: 'pgdb', environment: 'dev' });
      expect(fourth.json()).toMatchObject({ code: 'policy_denied', errors: [{ path: 'policy.three-databases-in-dev' }] });
      expect((await h.call(bob, 'POST', '/api/v1/teams/beta/instances', { name: 'dev-a', product: 'pgdb', environment: 'dev' })).statusCode).toBe(202);
      expect((await h.call(ann, 'POST', alpha, { name: 'no-env', product: 'pgdb' })).statusCode).toBe(202);
      expect((await h.call(ann, 'POST', alpha, { name: 'x', product: 'pgdb', environment: 'nowhere' })).json().code).toBe('environment_not_found');
    });

    it('judges a create that names its plan by what it read in one go: the latest version, the usage and the policies (Store.readForGate)', async () => {
      const spies = (['readForGate', 'latestProductVersion', 'instanceUsage', 'listPolicyVersions'] as const).map((method) => vi.spyOn(h.store, method));
      try {
        // alpha has three in dev (the test before): a fourth, plan named, refused by the usage read with the policies.
        const fourth = await h.call(ann, 'POST', alpha, { name: 'gate-d', product: 'pgdb', plan: 'small', environment: 'dev' });
        expect(fourth.json()).toMatchObject({ code: 'policy_denied', errors: [{ path: 'policy.three-databases-in-dev' }] });
        expect(spies.map((spy) => spy.mock.calls.length)).toEqual([1, 0, 0, 0]);
        expect(spies[0]!.mock.calls[0]![0]).toMatchObject({ usage: { product: 'pgdb', plan: 'small', environment: 'dev' }, latestVersion: true });
        // A version named: the latest is not read. No plan named: the plan comes from the manifest, so the gate reads as before.
        for (const spy of spies) spy.mockClear();
        expect((await h.call(ann, 'POST', alpha, { name: 'gate-e', product: 'pgdb', version: '1.2.0', plan: 'small', environment: 'staging' })).statusCode).toBe(202);
        expect(spies[0]!.mock.calls[0]![0]).toMatchObject({ latestVersion: false });
        for (const spy of spies) spy.mockClear();
        expect((await h.call(ann, 'POST', alpha, { name: 'gate-f', product: 'pgdb', environment: 'dev' })).json()).toMatchObject({ code: 'policy_denied' });
        expect(spies.map((spy) => spy.mock.calls.length)).toEqual([0, 1, 1, 1]);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    });

    it("names must start with the service's name: a workload's shared resource named otherwise is refused, and paved plan shows it", async () => {
      const score = { apiVersion: 'score.dev/v1b1', metadata: { name: 'web' }, containers: { app: { image: '.' } }, resources: { cache: { type: 'pgdb', id: 'common-cache' } } };
      const url = '/api/v1/teams/beta/services/web/environments/staging/workload';
      const planned = (await h.call(bob, 'POST', url, { score, dryRun: true })).json() as WorkloadPlan;
      expect(planned.changes[0]).toMatchObject({ action: 'create', instance: 'common-cache-staging', outcome: 'denied' });
      expect(planned.changes[0]!.policies).toContainEqual(expect.objectContaining({ policy: 'name-starts-with-service', result: 'failed' }));
      const applied = await h.call(bob, 'POST', url, { score });
      expect([applied.statusCode, applied.json().code]).toEqual([403, 'policy_denied']);
      const own = { ...score, resources: { cache: { type: 'pgdb' } } };
      expect((await h.call(bob, 'POST', url, { score: own })).statusCode).toBe(202);
      const history = (await h.call(bob, 'GET', '/api/v1/teams/beta/instances/web-cache-staging/history')).json();
      expect(history.entries[0]).toMatchObject({ event: 'instance.requested', actor: 'bob', interface: 'score', version: '1.2.0' });
    });
  });

  describe('quotas count composite parts', () => {
    it('refuses a composite of three large databases against a quota of two, and says so in a dry run', async () => {
      await h.product('platform', (m) => {
        m.metadata.name = 'trio';
        m.spec.driver = 'composite';
        m.spec.inputs = { type: 'object', properties: {}, additionalProperties: false };
        m.spec.plans = { standard: { default: true } };
        m.spec.includes = ['a', 'b', 'c'].map((name) => ({ name, product: 'pgdb', plan: 'large' }));
        m.spec.outputs = { host: { from: 'a.host' } };
        delete m.spec.checks;
        delete m.spec.slo;
      });
      const beta = '/api/v1/teams/beta/instances';
      const dry = (await h.call(bob, 'POST', beta, { name: 'trio', product: 'trio', dryRun: true })).json() as RequestPreview;
      expect(dry.outcome).toBe('denied');
      expect(dry.quotas).toEqual([{ product: 'pgdb', plan: 'large', used: 0, adding: 3, max: 2, passed: false }]);
      const refused = await h.call(bob, 'POST', beta, { name: 'trio', product: 'trio' });
      expect([refused.statusCode, refused.json().code]).toEqual([429, 'quota_exceeded']);
      expect(refused.json().detail).toContain('composite parts count');
    });
  });

  describe('approvals', () => {
    let waiting: Instance;

    it('holds a large prod database in AwaitingApproval, naming the approving team, untouched by the engine', async () => {
      expect((await apply(pia, LARGE_NEEDS_APPROVAL)).statusCode).toBe(201);
      const dry = (await h.call(ann, 'POST', alpha, { name: 'big-two', product: 'pgdb', plan: 'large', environment: 'prod', dryRun: true })).json() as RequestPreview;
      expect(dry.outcome).toBe('awaitingApproval');
      const res = await h.call(ann, 'POST', alpha, { name: 'big-two', product: 'pgdb', plan: 'large', environment: 'prod' });
      expect(res.statusCode).toBe(202);
      waiting = res.json() as Instance;
      expect(waiting.status).toMatchObject({ phase: 'AwaitingApproval', approval: { state: 'Waiting', approvers: 'platform', policies: ['large-needs-approval'] } });
      const claimed = await h.store.claimDue({ owner: 'test', leaseMs: 1000, limit: 1000 });
      for (const c of claimed) await h.store.releaseLease(c.instance.id, c.leaseToken);
      expect(claimed.map((c) => c.instance.id)).not.toContain(waiting.id);
      expect((await h.call(ann, 'PATCH', `${alpha}/big-two`, { plan: 'small' })).json().code).toBe('awaiting_approval');
    });

    it('lets the approving team decide, never the requester, and records the approval as an intervention', async () => {
      const list = (await h.call(pia, 'GET', '/api/v1/approvals?state=Waiting')).json().items as { id: string; instance: string }[];
      expect(list.map((a) => a.instance)).toEqual(['big-two']);
      expect((await h.call(ann, 'GET', '/api/v1/approvals')).json().items).toHaveLength(1);
      expect((await h.call(bob, 'GET', '/api/v1/approvals')).json().items).toEqual([]);
      const id = list[0]!.id;
      expect((await h.call(bob, 'GET', `/api/v1/approvals/${id}`)).statusCode).toBe(404);
      expect((await h.call(ann, 'POST', `/api/v1/approvals/${id}/approve`, {})).json().code).toBe('not_approver');
      const approved = await h.call(pia, 'POST', `/api/v1/approvals/${id}/approve`, { reason: 'capacity checked' });
      expect(approved.json()).toMatchObject({ state: 'Approved', decidedBy: 'pia' });
      expect((await h.call(ann, 'GET', `${alpha}/big-two`)).json().status).toMatchObject({ phase: 'Pending', approval: { state: 'Approved', decidedBy: 'pia' } });
      expect((await h.call(pia, 'POST', `/api/v1/approvals/${id}/deny`, { reason: 'late' })).json().code).toBe('approval_decided');
      const interventions = await h.store.listInterventions({ product: 'pgdb', kinds: ['approval'] });
      expect(interventions.items).toEqual([expect.objectContaining({ actor: 'pia', instanceName: 'big-two', teamName: 'alpha', note: expect.stringContaining('large-needs-approval') })]);

      // pat is in beta and in the approving team: his own request needs someone else.
      const beta = '/api/v1/teams/beta/instances';
      const own = (await h.call(pat, 'POST', beta, { name: 'big-three', product: 'pgdb', plan: 'large', environment: 'prod' })).json() as Instance;
      expect((await h.call(pat, 'POST', `/api/v1/approvals/${own.status.approval!.id}/approve`, {})).json().code).toBe('self_approval');
      const denied = await h.call(pia, 'POST', `/api/v1/approvals/${own.status.approval!.id}/deny`, { reason: 'use two small ones' });
      expect(denied.json()).toMatchObject({ state: 'Denied', reason: 'use two small ones' });
      const shown = (await h.call(pat, 'GET', `${beta}/big-three`)).json() as Instance;
      expect(shown.status).toMatchObject({ phase: 'Denied', lastError: 'denied by pia: use two small ones', approval: { state: 'Denied', reason: 'use two small ones' } });
      expect((await h.call(pat, 'POST', `${beta}/big-three/reconcile`, {})).json().code).toBe('approval_denied');
    });

    it('shows the provenance: who asked, how, on which version, the policies, who approved', async () => {
      const history = (await h.call(ann, 'GET', `${alpha}/big-two/history`)).json();
      expect(history).toMatchObject({ team: 'alpha', instance: 'big-two', product: 'pgdb' });
      expect(history.entries.map((e: { event: string }) => e.event)).toEqual(['instance.requested', 'instance.approval-requested', 'instance.approved']);
      expect(history.entries[0]).toMatchObject({ actor: 'ann', interface: 'api', version: '1.2.0', plan: 'large' });
      expect(history.entries[0].policies).toContainEqual({ policy: 'large-needs-approval', version: '1.0.0', action: 'requireApproval', result: 'failed', message: expect.any(String) });
      expect(history.entries[1]).toMatchObject({ approvers: 'platform' });
      expect(history.entries[2]).toMatchObject({ actor: 'pia', reason: 'capacity checked' });
      expect((await h.call(bob, 'GET', `${alpha}/big-two/history`)).statusCode).toBe(404);
    });
  });
});
