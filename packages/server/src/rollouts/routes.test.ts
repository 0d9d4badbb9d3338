import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haltMessage, type Instance, type Rollout, type UpgradeResult } from '@paved/model';
import { createStore } from '@paved/store';
import { markReady, startHarness, type Caller, type Harness } from '../test-harness.js';

/**
 * The upgrade, hold and rollout routes over a real store (the engine's part is in
 * packages/engine/src/rollout.test.ts and e2e/rollout.test.ts). Who may call each route is the
 * authorization matrix's business; here: what they answer.
 */
describe('API upgrades, holds and rollouts', () => {
  let h: Harness;
  let mia: Caller; // member of alpha
  let bob: Caller; // member of beta
  let pat: Caller; // member of the platform team that owns pgdb
  const instances = (team: string) => `/api/v1/teams/${team}/instances`;

  beforeAll(async () => {
    const store = await createStore({ url: ':memory:' });
    await store.migrate();
    h = await startHarness(store);
    [mia, bob, pat] = await Promise.all(['mia', 'bob', 'pat'].map((name) => h.user(name)));
    await h.team('platform', [[pat, 'member']], { platform: true });
    await h.team('alpha', [[mia, 'member']]);
    await h.team('beta', [[bob, 'member']]);
    await h.product('platform', (m) => { m.spec.version = '1.0.0'; });
    // 2.0.0 (a major: plan large is gone): plan small allows more connections, a new optional input and output.
    await h.product('platform', (m) => {
      m.spec.version = '2.0.0';
      m.spec.plans = { small: { default: true, values: { connectionLimit: 30 }, quota: { perTeam: 10 } } };
      (m.spec.inputs as { properties: Record<string, unknown> }).properties.locale = { type: 'string', default: 'C' };
      m.spec.outputs.replica = {};
    });
    await h.product('platform', (m) => { m.spec.version = '2.0.0-rc.1'; });
    for (const [caller, team, name, plan] of [[mia, 'alpha', 'a1', 'small'], [mia, 'alpha', 'a2', 'small'], [mia, 'alpha', 'a3', 'large'], [bob, 'beta', 'b1', 'small']] as const) {
      const created = await h.call(caller, 'POST', instances(team), { name, product: 'pgdb', version: '1.0.0', plan });
      expect(created.statusCode, created.body).toBe(202);
      await markReady(h.store, created.json() as Instance);
    }
  });
  afterAll(() => h.close());

  it('previews an upgrade to the latest release (never a pre-release) and changes nothing on a dry run', async () => {
    const res = await h.call(mia, 'POST', `${instances('alpha')}/a1/upgrade`, { dryRun: true });
    expect(res.statusCode, res.body).toBe(200);
    const { preview, upgraded } = res.json() as UpgradeResult;
    expect(upgraded).toBe(false);
    expect(preview).toMatchObject({ from: '1.0.0', to: '2.0.0', plan: 'small' });
    expect(preview.changes.map((c) => c.message)).toEqual([
      'new input locale',
      'new output replica',
      'plan small: connectionLimit 20 → 30',
      'plan large is gone',
    ]);
    expect(preview.blocked).toBeUndefined();
    expect((await h.store.getInstanceByName((await h.store.getTeam({ name: 'alpha' }))!.id, 'a1'))!.productVersion).toBe('1.0.0');
  });

  it('upgrades for real (202), recording from and to; refuses a downgrade unless allowed, and a plan that is gone', async () => {
    const res = await h.call(mia, 'POST', `${instances('alpha')}/a2/upgrade`, { to: '2.0.0' });
    expect(res.statusCode, res.body).toBe(202);
    const alpha = (await h.store.getTeam({ name: 'alpha' }))!;
    const a2 = (await h.store.getInstanceByName(alpha.id, 'a2'))!;
    expect([a2.productVersion, a2.generation > a2.observedGeneration]).toEqual(['2.0.0', true]);
    const events = await h.store.listEvents({ instanceId: a2.id, kinds: ['instance.upgraded'] });
    expect(events.items.map((e) => [e.actor, e.data.from, e.data.to])).toEqual([['mia', '1.0.0', '2.0.0']]);
    // Its history says to which version (docs/cli.md: each change's product version).
    const history = (await h.call(mia, 'GET', `${instances('alpha')}/a2/history`)).json() as { entries: { event: string }[] };
    expect(history.entries.at(-1)).toMatchObject({ event: 'instance.upgraded', actor: 'mia', version: '2.0.0' });

    const down = await h.call(mia, 'POST', `${instances('alpha')}/a2/upgrade`, { to: '1.0.0' });
    expect([down.statusCode, down.json().code]).toEqual([409, 'downgrade_refused']);
    expect((await h.call(mia, 'POST', `${instances('alpha')}/a2/upgrade`, { to: '1.0.0', allowDowngrade: true, dryRun: true })).statusCode).toBe(200);

    const blocked = await h.call(mia, 'POST', `${instances('alpha')}/a3/upgrade`, { dryRun: true });
    expect((blocked.json() as UpgradeResult).preview.blocked).toBe('plan large does not exist in 2.0.0');
    const refused = await h.call(mia, 'POST', `${instances('alpha')}/a3/upgrade`, {});
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'upgrade_blocked']);
    const unknown = await h.call(mia, 'POST', `${instances('alpha')}/a1/upgrade`, { to: '9.9.9' });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'version_not_found']);
  });

  it('starts a rollout of the older instances in waves, reporting held ones; one at a time per product', async () => {
    const held = await h.call(bob, 'PUT', `${instances('beta')}/b1/hold`, { reason: 'load test' });
    expect(held.statusCode, held.body).toBe(200);
    // The instance shows its hold, read alone and in its team's listing.
    const shown = { reason: 'load test', heldBy: 'bob', heldAt: held.json().heldAt };
    expect((await h.call(bob, 'GET', `${instances('beta')}/b1`)).json().hold).toEqual(shown);
    const listed = (await h.call(bob, 'GET', instances('beta'))).json() as { items: { name: string; hold?: unknown }[] };
    expect(listed.items.map((i) => [i.name, i.hold])).toEqual(listed.items.map((i) => [i.name, i.name === 'b1' ? shown : undefined]));
    const started = await h.call(pat, 'POST', '/api/v1/products/pgdb/rollouts', { to: '2.0.0', canaryPercent: 50, soakSeconds: 0 });
    expect(started.statusCode, started.body).toBe(202);
    const rollout = started.json() as Rollout;
    expect(rollout).toMatchObject({ product: 'pgdb', toVersion: '2.0.0', state: 'Running', waves: 2, settings: { canaryPercent: 50, batchGrowth: 2, soakMs: 0 } });
    // a2 already runs 2.0.0; b1 is held and takes no place in a wave.
    expect(rollout.targets.map((t) => [t.team, t.instance, t.wave, t.state, t.message])).toEqual([
      ['alpha', 'a1', 0, 'pending', ''],
      ['alpha', 'a3', 1, 'pending', ''],
      ['beta', 'b1', 0, 'held', 'held by bob: load test'],
    ]);
    const again = await h.call(pat, 'POST', '/api/v1/products/pgdb/rollouts', { to: '2.0.0' });
    expect([again.statusCode, again.json().code]).toEqual([409, 'rollout_in_progress']);

    // Everyone reads it, seeing only the instances of teams they may read; the owner sees all.
    const asMia = (await h.call(mia, 'GET', '/api/v1/products/pgdb/rollout')).json() as Rollout;
    expect(asMia.targets.map((t) => t.instance)).toEqual(['a1', 'a3']);
    const asBob = (await h.call(bob, 'GET', '/api/v1/rollouts')).json() as { items: Rollout[] };
    expect(asBob.items.map((r) => r.targets.map((t) => t.instance))).toEqual([['b1']]);
    expect(((await h.call(pat, 'GET', '/api/v1/products/pgdb/rollout')).json() as Rollout).targets).toHaveLength(3);

    const paused = await h.call(pat, 'POST', '/api/v1/products/pgdb/rollout/pause');
    expect([paused.statusCode, (paused.json() as Rollout).state]).toEqual([200, 'Paused']);
    const resumed = await h.call(pat, 'POST', '/api/v1/products/pgdb/rollout/resume');
    expect([resumed.statusCode, (resumed.json() as Rollout).state]).toEqual([200, 'Running']);
    expect((await h.call(bob, 'DELETE', `${instances('beta')}/b1/hold`)).statusCode).toBe(204);
    expect((await h.call(bob, 'GET', `${instances('beta')}/b1`)).json().hold).toBeUndefined();
    expect(await h.store.getHold((await h.store.getInstanceByName((await h.store.getTeam({ name: 'beta' }))!.id, 'b1'))!.id)).toBeUndefined();
  });

  it("tells a halt's failed instance and why only to whoever may read its team", async () => {
    await h.product('platform', (m) => { m.metadata.name = 'halting'; m.spec.version = '1.0.0'; });
    await h.product('platform', (m) => { m.metadata.name = 'halting'; m.spec.version = '1.1.0'; });
    for (const [caller, team, name] of [[mia, 'alpha', 'ha'], [bob, 'beta', 'secret-ledger']] as const) {
      const created = await h.call(caller, 'POST', instances(team), { name, product: 'halting', version: '1.0.0' });
      expect(created.statusCode, created.body).toBe(202);
      await markReady(h.store, created.json() as Instance);
    }
    const started = await h.call(pat, 'POST', '/api/v1/products/halting/rollouts', { to: '1.1.0', canaryPercent: 100 });
    expect(started.statusCode, started.body).toBe(202);
    const rollout = started.json() as Rollout;
    // The halt as the engine records it (its message by haltMessage, as engine/src/rollout-worker.ts): beta's instance failed its check.
    const others = [];
    let claimed = await h.store.claimDueRollout({ owner: 'test-engine', leaseMs: 30_000 });
    while (claimed !== undefined && claimed.rollout.id !== rollout.id) {
      others.push(claimed);
      claimed = await h.store.claimDueRollout({ owner: 'test-engine', leaseMs: 30_000 });
    }
    for (const other of others) await h.store.releaseRolloutLease(other.rollout.id, other.leaseToken);
    const position = rollout.targets.findIndex((t) => t.instance === 'secret-ledger');
    const why = 'contract check connect failed: host ledger-db.beta.internal refused';
    expect(await h.store.recordRolloutProgress(rollout.id, claimed!.leaseToken, {
      state: 'RollingBack', dueAt: null, message: haltMessage(0, 1, rollout.targets[position]!, why), targets: [{ position, state: 'failed', message: why }],
    })).toBe('changed');
    await h.store.releaseRolloutLease(rollout.id, claimed!.leaseToken);

    // mia reads alpha only: the halt is told without beta's instance or its failure.
    const asMia = (await h.call(mia, 'GET', '/api/v1/products/halting/rollout')).json() as Rollout;
    expect(asMia.targets.map((t) => t.instance)).toEqual(['ha']);
    expect(asMia.message).toBe('halted in wave 1 of 1: an instance of another team failed');
    const listed = (await h.call(mia, 'GET', '/api/v1/rollouts')).json() as { items: Rollout[] };
    expect(JSON.stringify(listed)).not.toContain('secret-ledger');
    // Its own team and the product's owner read it whole.
    const whole = `halted in wave 1 of 1: beta/secret-ledger: ${why}`;
    expect(((await h.call(bob, 'GET', '/api/v1/products/halting/rollout')).json() as Rollout).message).toBe(whole);
    expect(((await h.call(pat, 'GET', '/api/v1/products/halting/rollout')).json() as Rollout).message).toBe(whole);
  });

  it('refuses a rollout with nothing to do, and names a product without rollouts', async () => {
    await h.product('platform', (m) => { m.metadata.name = 'lonely'; m.spec.version = '1.0.0'; });
    const none = await h.call(pat, 'POST', '/api/v1/products/lonely/rollouts', { to: '1.0.0' });
    expect([none.statusCode, none.json().code]).toEqual([409, 'rollout_nothing_to_do']);
    const missing = await h.call(mia, 'GET', '/api/v1/products/lonely/rollout');
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'rollout_not_found']);
    const paused = await h.call(pat, 'POST', '/api/v1/products/lonely/rollout/pause');
    expect([paused.statusCode, paused.json().code]).toEqual([404, 'rollout_not_found']);
  });
});
