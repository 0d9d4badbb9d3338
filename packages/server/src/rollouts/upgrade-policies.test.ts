import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Instance, UpgradeResult } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import { markReady, startHarness, type Caller, type Harness } from '../test-harness.js';
import { rolloutPolicyCheck } from './upgrade-policies.js';

/** Team alpha stays on 1.x: a guardrail on moves (operation update), as docs/policies.md writes them. */
const ALPHA_STAYS_ON_1 = {
  apiVersion: 'paved.dev/v1alpha1', kind: 'Policy', metadata: { name: 'alpha-stays-on-1', owner: 'platform' },
  spec: {
    version: '1.0.0', match: { products: ['pgdb'], operations: ['update'] },
    validations: [{ expression: 'team.name != "alpha" || request.version.startsWith("1.")', message: 'alpha stays on 1.x until its migration is done' }],
  },
};

/**
 * `paved upgrade` and rollouts judged by the policies like an update (docs/rollouts.md): an
 * upgrade the policies refuse is refused naming them, a dry run shows each decision, and the
 * rollout worker's check (the same judgement) says why it skips an instance.
 */
eachStore('upgrades judged by the policies', (open) => {
  let h: Harness;
  let mia: Caller; // member of alpha
  let bob: Caller; // member of beta
  let pat: Caller; // member of the platform team
  const byName: Record<string, Instance> = {};

  beforeAll(async () => {
    h = await startHarness(await open());
    [mia, bob, pat] = await Promise.all(['mia', 'bob', 'pat'].map((name) => h.user(name)));
    await h.team('platform', [[pat, 'member']], { platform: true });
    await h.team('alpha', [[mia, 'member']]);
    await h.team('beta', [[bob, 'member']]);
    await h.product('platform', (m) => { m.spec.version = '1.0.0'; });
    await h.product('platform', (m) => { m.spec.version = '2.0.0'; });
    for (const [caller, team, name] of [[mia, 'alpha', 'a1'], [bob, 'beta', 'b1']] as const) {
      const created = await h.call(caller, 'POST', `/api/v1/teams/${team}/instances`, { name, product: 'pgdb', version: '1.0.0', plan: 'small' });
      expect(created.statusCode, created.body).toBe(202);
      byName[name] = created.json() as Instance;
      await markReady(h.store, byName[name]);
    }
    expect((await h.call(pat, 'POST', '/api/v1/policies', ALPHA_STAYS_ON_1)).statusCode).toBe(201);
  });
  afterAll(() => h.close());

  it('shows the decisions on a dry run and refuses the upgrade naming the policy', async () => {
    const dry = await h.call(mia, 'POST', '/api/v1/teams/alpha/instances/a1/upgrade', { to: '2.0.0', dryRun: true });
    expect(dry.statusCode, dry.body).toBe(200);
    const { preview } = dry.json() as UpgradeResult;
    expect(preview.blocked).toBe('refused by policy alpha-stays-on-1 (alpha stays on 1.x until its migration is done)');
    expect(preview.decisions).toEqual([{ policy: 'alpha-stays-on-1', version: '1.0.0', action: 'deny', result: 'failed', message: 'alpha stays on 1.x until its migration is done' }]);

    const refused = await h.call(mia, 'POST', '/api/v1/teams/alpha/instances/a1/upgrade', { to: '2.0.0' });
    expect([refused.statusCode, refused.json().code, refused.json().errors[0].path]).toEqual([403, 'policy_denied', 'policy.alpha-stays-on-1']);
    expect(refused.json().detail).toContain('alpha stays on 1.x until its migration is done');
    expect((await h.store.getInstance(byName.a1!.id))!.productVersion).toBe('1.0.0');
  });

  it('lets through a move the policies pass, with their decisions in the preview', async () => {
    const done = await h.call(bob, 'POST', '/api/v1/teams/beta/instances/b1/upgrade', { to: '2.0.0' });
    expect(done.statusCode, done.body).toBe(202);
    const { preview, upgraded } = done.json() as UpgradeResult;
    expect([upgraded, preview.blocked, preview.decisions?.map((d) => [d.policy, d.result])]).toEqual([true, undefined, [['alpha-stays-on-1', 'passed']]]);
    expect((await h.store.getInstance(byName.b1!.id))!.productVersion).toBe('2.0.0');
  });

  it("gives the rollout worker the same judgement: why an instance is skipped, or nothing", async () => {
    const check = rolloutPolicyCheck(h.store);
    const to = (await h.store.getProductVersion('pgdb', '2.0.0'))!;
    expect(await check((await h.store.getInstance(byName.a1!.id))!, to, 'pat')).toBe('refused by policy alpha-stays-on-1 (alpha stays on 1.x until its migration is done)');
    const b1 = (await h.store.getInstance(byName.b1!.id))!;
    expect(await check({ ...b1, productVersion: '1.0.0' }, to, 'pat')).toBeUndefined();
  });
});
