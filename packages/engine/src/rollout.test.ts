import { eachStore } from '@paved/store/testing';
import { assignWaves, waveSizes, type Instance, type Rollout, type RolloutSettings } from '@paved/model';
import { describe, expect, it } from 'vitest';
import { judgeHealth } from './rollout-plan.js';
import { kvManifest, makeWorld, publish, type World } from './test-harness.js';
import type { Engine } from './types.js';
import type { Failpoint } from './failpoints.js';

/**
 * Fleet rollouts on the memory driver with a real store and a hand-moved clock: waves, the
 * soak, a halt on an unhealthy canary with its rollback, pause and resume, and a crash at each
 * of the rollout's failpoints resumed by another worker.
 */

const TICK_MS = 1_000;
const SETTINGS: RolloutSettings = { canaryPercent: 25, batchGrowth: 2, soakMs: 5_000, readyTimeoutMs: 60_000 };

describe('rollout waves and health (pure)', () => {
  it('splits instances into a canary and growing waves', () => {
    expect(waveSizes(10, 10, 2)).toEqual([1, 2, 4, 3]);
    expect(waveSizes(3, 50, 2)).toEqual([2, 1]);
    expect(waveSizes(5, 100, 2)).toEqual([5]);
    expect(waveSizes(4, 1, 1)).toEqual([1, 2, 1]); // growth 1 still grows by one, so a rollout ends
    expect(assignWaves(4, 25, 2)).toEqual([0, 1, 1, 2]);
    expect(waveSizes(0, 10, 2)).toEqual([]);
  });

  it('judges health: waiting until the new spec is reconciled, failed on a recent failure or a failed check', () => {
    const base: Instance = {
      id: 'i', teamId: 't', teamName: 'team', name: 'db', product: 'kv', productVersion: '1.1.0', plan: 'small', inputs: {}, externalName: 'x', target: 'mem',
      generation: 2, observedGeneration: 1, deletionRequested: false, outputs: {}, createdBy: 'u', createdAt: '', updatedAt: '',
      credentials: { rotation: 0, rotating: false },
      status: { phase: 'Ready', conditions: [{ type: 'Ready', status: 'True', reason: 'Available', message: 'ok', lastTransitionAt: '2025-01-01T00:00:00.000Z' }] },
    };
    const since = Date.parse('2025-01-01T00:01:00.000Z');
    expect(judgeHealth(base, '1.1.0', since).kind).toBe('waiting');
    expect(judgeHealth({ ...base, observedGeneration: 2 }, '1.1.0', since).kind).toBe('healthy');
    expect(judgeHealth({ ...base, observedGeneration: 2 }, '1.2.0', since)).toEqual({ kind: 'failed', message: 'moved to version 1.1.0 meanwhile' });
    const failedCheck = { ...base, observedGeneration: 2, status: { ...base.status, checks: [{ name: 'connect', passed: false, message: 'refused' }] } };
    expect(judgeHealth(failedCheck, '1.1.0', since)).toEqual({ kind: 'failed', message: 'contract check connect failed: refused' });
    // An old failure (before the move) is where a rollback starts from, not its result.
    const oldFailure = { ...base, status: { phase: 'Failed' as const, conditions: [{ ...base.status.conditions[0]!, status: 'False' as const, reason: 'CheckFailed' as const }] } };
    expect(judgeHealth(oldFailure, '1.1.0', since).kind).toBe('waiting');
    const retrying = { ...base, status: { phase: 'Provisioning' as const, conditions: [{ ...base.status.conditions[0]!, status: 'False' as const, reason: 'RetryingAfterError' as const, lastTransitionAt: '2025-01-01T00:02:00.000Z' }] } };
    expect(judgeHealth(retrying, '1.1.0', since).kind).toBe('failed');
    expect(judgeHealth(undefined, '1.1.0', since).kind).toBe('failed');
  });
});

/** Publishes kv 1.1.0 and makes `count` Ready instances on 1.0.0. */
async function fleet(world: World, engine: Engine, count: number): Promise<Instance[]> {
  await publish(world.store, kvManifest({ version: '1.1.0', checks: ['connect'], plans: { small: { default: true, values: { tier: 'small-v2' } } } }));
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) instances.push(await world.request(`db-${i}`));
  await world.drain(engine);
  return instances;
}

async function startRollout(world: World, instances: Instance[], settings = SETTINGS): Promise<Rollout> {
  const waves = assignWaves(instances.length, settings.canaryPercent, settings.batchGrowth);
  return world.store.createRollout({
    product: 'kv', toVersion: '1.1.0', settings, createdBy: 'owner', ownerTeamId: world.teamId, waves: new Set(waves).size,
    targets: instances.map((i, n) => ({ instanceId: i.id, team: world.teamName, instance: i.name, fromVersion: '1.0.0', wave: waves[n]!, state: 'pending', message: '' })),
  });
}

/** One tick: a rollout step, the instances it moved reconciled, time moved on. Until `done` or `max` ticks. */
async function tickUntil(world: World, engine: Engine, id: string, done: (rollout: Rollout) => boolean, max = 60): Promise<Rollout> {
  for (let i = 0; i < max; i++) {
    await engine.runRolloutOnce();
    await world.drain(engine);
    const rollout = (await world.store.getRollout(id))!;
    if (done(rollout)) return rollout;
    world.clock.advance(TICK_MS);
  }
  throw new Error(`rollout ${id} did not get there in ${max} ticks: ${JSON.stringify(await world.store.getRollout(id))}`);
}

const versions = async (world: World, instances: Instance[]) => Promise.all(instances.map(async (i) => (await world.store.getInstance(i.id))!.productVersion));

eachStore('engine: fleet rollouts', (open) => {
  it('upgrades wave by wave, each wave soaked before the next, and completes', async () => {
    const world = await makeWorld(open);
    const engine = world.engine({ rolloutTickMs: TICK_MS });
    const instances = await fleet(world, engine, 4);
    await world.store.holdInstance(instances[3]!.id, 'freeze', 'someone');
    const rollout = await startRollout(world, instances);
    const canary = await tickUntil(world, engine, rollout.id, (r) => r.stage === 'soaking');
    expect(canary.wave).toBe(0);
    expect(await versions(world, instances)).toEqual(['1.1.0', '1.0.0', '1.0.0', '1.0.0']);
    const done = await tickUntil(world, engine, rollout.id, (r) => r.state === 'Completed');
    expect(done.targets.map((t) => t.state)).toEqual(['upgraded', 'upgraded', 'upgraded', 'held']);
    expect(done.targets[3]!.message).toBe('held by someone: freeze');
    expect(done.message).toBe('completed: 3 upgraded to 1.1.0; 1 held');
    expect(await versions(world, instances)).toEqual(['1.1.0', '1.1.0', '1.1.0', '1.0.0']);
    for (const instance of instances.slice(0, 3)) {
      const now = (await world.store.getInstance(instance.id))!;
      expect([now.status.phase, now.observedGeneration, now.status.checks?.map((c) => c.passed)]).toEqual(['Ready', now.generation, [true]]);
    }
    const events = await world.store.listEvents({ instanceId: instances[0]!.id, kinds: ['instance.upgraded'] });
    expect(events.items.map((e) => [e.data.from, e.data.to, e.data.rollout])).toEqual([['1.0.0', '1.1.0', rollout.id]]);
    expect((await world.store.listEvents({ kinds: ['rollout.completed'] })).items).toHaveLength(1);
  });

  it('asks the policies about each instance when its wave starts, and goes on without one they refuse', async () => {
    const world = await makeWorld(open);
    const asked: string[] = [];
    // The server's gate stands behind this in the platform (tested in server/src/rollouts/upgrade-policies.test.ts).
    const rolloutPolicyCheck = async (instance: Instance, to: { version: string }, actor: string) => {
      asked.push(`${instance.name}→${to.version} by ${actor}`);
      return instance.name === 'db-2' ? 'refused by policy frozen-db (db-2 is frozen)' : undefined;
    };
    const engine = world.engine({ rolloutTickMs: TICK_MS, rolloutPolicyCheck });
    const instances = await fleet(world, engine, 3);
    const rollout = await startRollout(world, instances);
    await tickUntil(world, engine, rollout.id, (r) => r.stage === 'soaking');
    // Only the canary's wave has started: the others are not judged yet.
    expect(asked).toEqual(['db-0→1.1.0 by owner']);
    const done = await tickUntil(world, engine, rollout.id, (r) => r.state === 'Completed');
    expect(done.targets.map((t) => [t.instance, t.state, t.message])).toEqual([
      ['db-0', 'upgraded', ''],
      ['db-1', 'upgraded', ''],
      ['db-2', 'skipped', 'refused by policy frozen-db (db-2 is frozen); the rollout goes on without it'],
    ]);
    expect(done.message).toBe('completed: 2 upgraded to 1.1.0; 1 skipped');
    expect(await versions(world, instances)).toEqual(['1.1.0', '1.1.0', '1.0.0']);
  });

  it('halts on an unhealthy canary and rolls it back; later waves are never touched', async () => {
    const world = await makeWorld(open);
    const engine = world.engine({ rolloutTickMs: TICK_MS });
    const instances = await fleet(world, engine, 4);
    const rollout = await startRollout(world, instances);
    // 1.1.0's contract check fails for the canary; back on 1.0.0 (no checks) it is Ready again.
    world.driver.failCheck('connect', 'memory check connect: refused', 100);
    const halted = await tickUntil(world, engine, rollout.id, (r) => r.state === 'Halted');
    expect(halted.targets.map((t) => t.state)).toEqual(['rolled-back', 'pending', 'pending', 'pending']);
    expect(halted.message).toMatch(/^halted in wave 1 of 3: .*\/db-0: contract check connect failed: memory check connect: refused$/);
    expect(await versions(world, instances)).toEqual(['1.0.0', '1.0.0', '1.0.0', '1.0.0']);
    const canary = (await world.store.getInstance(instances[0]!.id))!;
    expect([canary.status.phase, canary.observedGeneration]).toEqual(['Ready', canary.generation]);
    const history = await world.store.listEvents({ instanceId: instances[0]!.id, kinds: ['instance.upgraded', 'instance.rolled-back'] });
    expect(history.items.map((e) => [e.kind, e.data.from, e.data.to])).toEqual([['instance.upgraded', '1.0.0', '1.1.0'], ['instance.rolled-back', '1.1.0', '1.0.0']]);
    // A halted rollout frees the product for the next one.
    expect((await startRollout(world, instances)).state).toBe('Running');
  });

  it('leaves a failed instance where it is, clearly marked, when its driver cannot go back', async () => {
    const world = await makeWorld(open);
    Object.assign(world.driver, { rollback: false });
    const engine = world.engine({ rolloutTickMs: TICK_MS });
    const instances = await fleet(world, engine, 2);
    const rollout = await startRollout(world, instances, { ...SETTINGS, canaryPercent: 50 });
    world.driver.failCheck('connect', 'memory check connect: refused', 100);
    const halted = await tickUntil(world, engine, rollout.id, (r) => r.state === 'Halted');
    expect(halted.targets.map((t) => t.state)).toEqual(['rollback-unsupported', 'pending']);
    expect(halted.targets[0]!.message).toContain('left on 1.1.0: driver "memory" cannot move an instance back to an older version');
  });

  it('does nothing while paused; a resumed wave soaks again in full', async () => {
    const world = await makeWorld(open);
    const engine = world.engine({ rolloutTickMs: TICK_MS });
    const instances = await fleet(world, engine, 2);
    const rollout = await startRollout(world, instances, { ...SETTINGS, canaryPercent: 50 });
    await tickUntil(world, engine, rollout.id, (r) => r.stage === 'soaking');
    expect(await world.store.setRolloutPaused(rollout.id, true, 'owner')).toBe('changed');
    world.clock.advance(SETTINGS.soakMs * 3);
    expect(await engine.runRolloutOnce()).toBe(false);
    expect(await versions(world, instances)).toEqual(['1.1.0', '1.0.0']);
    expect(await world.store.setRolloutPaused(rollout.id, false, 'owner')).toBe('changed');
    const resumedAt = world.clock.now();
    const next = await tickUntil(world, engine, rollout.id, (r) => r.wave === 1);
    expect(world.clock.now() - resumedAt).toBeGreaterThanOrEqual(SETTINGS.soakMs);
    expect(next.stage).toBe('applying');
    expect((await tickUntil(world, engine, rollout.id, (r) => r.state === 'Completed')).targets.map((t) => t.state)).toEqual(['upgraded', 'upgraded']);
  });

  for (const point of ['rollout:after-intent', 'rollout:after-wave'] as Failpoint[]) {
    it(`resumes a rollout whose worker died at ${point}, moving each instance once`, async () => {
      const world = await makeWorld(open);
      const LEASE_MS = 5_000;
      const reached: string[] = [];
      const crashing = world.engine({
        rolloutTickMs: TICK_MS, leaseMs: LEASE_MS,
        failpoint: (name) => {
          if (name === point && reached.length === 0) {
            reached.push(name);
            throw new Error('killed');
          }
        },
      });
      const instances = await fleet(world, crashing, 3);
      const rollout = await startRollout(world, instances, { ...SETTINGS, canaryPercent: 34 });
      // Steps until the crash: the step throws like a dead process, its lease left to lapse.
      for (let i = 0; i < 60 && reached.length === 0; i++) {
        await crashing.runRolloutOnce().catch(() => undefined);
        await world.drain(crashing);
        world.clock.advance(TICK_MS);
      }
      expect(reached).toEqual([point]);
      world.clock.advance(LEASE_MS);
      const survivor = world.engine({ rolloutTickMs: TICK_MS, leaseMs: LEASE_MS });
      const done = await tickUntil(world, survivor, rollout.id, (r) => r.state === 'Completed');
      expect(done.targets.map((t) => t.state)).toEqual(['upgraded', 'upgraded', 'upgraded']);
      for (const instance of instances) {
        const moves = await world.store.listEvents({ instanceId: instance.id, kinds: ['instance.upgraded'] });
        expect(moves.items, instance.name).toHaveLength(1);
      }
    });
  }
});
