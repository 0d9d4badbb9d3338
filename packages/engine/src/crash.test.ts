import type { MemoryResource } from '@paved/driver-memory';
import { eachStore } from '@paved/store/testing';
import { describe, expect, it } from 'vitest';
import { FAILPOINTS, type Failpoint } from './failpoints.js';
import { CREDENTIALS } from './outputs.js';
import { kvManifest, makeWorld, pairManifest, publish, type World } from './test-harness.js';

/**
 * Crash resumption, at every failpoint: a failpoint throws, which ends the pass exactly as a
 * killed process would (no further write, lease left to expire). Another worker takes over
 * once the lease lapses and must converge on one working resource, or none after a deletion.
 */

const LEASE_MS = 5_000;
const GRACE_MS = 2 * 60_000;

const CREATE: Failpoint[] = ['create:after-intent', 'create:after-driver', 'create:after-secrets'];
const UPDATE: Failpoint[] = ['update:after-intent', 'update:after-driver', 'update:after-secrets'];
/** The memory driver's deletion ladder is revoke-token, then drop. */
const DELETE: Failpoint[] = ['delete:before:revoke-token', 'delete:after:revoke-token', 'delete:before:drop', 'delete:after:drop', 'delete:before-forget'];
const ROTATE: Failpoint[] = ['rotate:after-intent', 'rotate:after-driver', 'revoke:after-intent'];
const COMPOSITE: Failpoint[] = ['composite:after-create:first'];
/** Resumed in rollout.test.ts (a rollout step, not a pass). */
const ROLLOUT: Failpoint[] = ['rollout:after-intent', 'rollout:after-wave'];

class Crash extends Error {}

/** An engine that crashes the first time it reaches `point`; `reached` says whether it got there. */
function crashingEngine(world: World, point: Failpoint) {
  const reached: string[] = [];
  const engine = world.engine({
    leaseMs: LEASE_MS,
    failpoint: (name) => {
      if (name === point && reached.length === 0) {
        reached.push(name);
        throw new Crash(name);
      }
    },
  });
  return { engine, reached };
}

async function resumeAfterLeaseExpiry(world: World): Promise<void> {
  // Until the lease runs out the instance is the dead worker's: nobody else may touch it.
  world.clock.advance(LEASE_MS - 1);
  expect(await world.engine().runOnce()).toBe(0);
  world.clock.advance(1);
  await world.drain();
}

const resourcesOf = (world: World) => world.driver.resources() as Map<string, MemoryResource>;

async function expectOneWorkingResource(world: World, id: string): Promise<void> {
  const instance = (await world.store.getInstance(id))!;
  expect(instance.status.phase).toBe('Ready');
  expect(instance.observedGeneration).toBe(instance.generation);
  expect([...resourcesOf(world).keys()]).toEqual([instance.externalName]);
  const credentials = (await world.secrets.get(id, CREDENTIALS))!;
  expect(() => world.driver.connect({ ...instance.outputs, ...credentials })).not.toThrow();
}

describe('crash tests', () => {
  it('cover every failpoint', () => {
    const pattern = (point: string) => FAILPOINTS.find((p) => new RegExp(`^${p.replace(/<[a-z]+>/, '.+')}$`).test(point));
    const covered = new Set([...CREATE, ...UPDATE, ...DELETE, ...ROTATE, ...COMPOSITE, ...ROLLOUT].map(pattern));
    expect([...FAILPOINTS].filter((point) => !covered.has(point))).toEqual([]);
  });
});

eachStore('engine crash resumption', (open) => {
  for (const point of CREATE) {
    it(`resumes a create interrupted at ${point}`, async () => {
      const world = await makeWorld(open);
      const { id } = await world.request('db');
      const { engine, reached } = crashingEngine(world, point);
      await engine.runOnce();
      expect(reached).toEqual([point]);
      await resumeAfterLeaseExpiry(world);
      await expectOneWorkingResource(world, id);
      expect((await world.store.listEvents({ instanceId: id, kinds: ['instance.ready'] })).items).toHaveLength(1);
    });
  }

  for (const point of UPDATE) {
    it(`resumes an update interrupted at ${point}`, async () => {
      const world = await makeWorld(open);
      const { id, externalName } = await world.request('db');
      await world.drain();
      await world.store.updateInstanceSpec(id, { inputs: { size: 5 } }, world.userId);
      const { engine, reached } = crashingEngine(world, point);
      await engine.runOnce();
      expect(reached).toEqual([point]);
      await resumeAfterLeaseExpiry(world);
      await expectOneWorkingResource(world, id);
      expect(resourcesOf(world).get(externalName)!.values).toEqual({ size: 5, tier: 'small' });
    });
  }

  for (const point of DELETE) {
    it(`resumes a deletion interrupted at ${point}`, async () => {
      const world = await makeWorld(open);
      const { id } = await world.request('db');
      await world.drain();
      await world.store.requestDeletion(id, world.userId);
      const { engine, reached } = crashingEngine(world, point);
      await engine.runOnce();
      expect(reached).toEqual([point]);
      const during = (await world.store.getInstance(id))!;
      expect(during.status.phase).toBe('Deleting');
      expect(during.status.conditions.find((c) => c.type === 'Deleting')).toMatchObject({ status: 'True', reason: 'DeletionInProgress' });
      await resumeAfterLeaseExpiry(world);
      expect(await world.store.getInstance(id)).toBeUndefined();
      expect(world.driver.resources().size).toBe(0);
      expect(await world.secrets.get(id, CREDENTIALS)).toBeUndefined();
    });
  }

  for (const point of ROTATE) {
    it(`resumes a rotation interrupted at ${point}`, async () => {
      const world = await makeWorld(open, { manifest: kvManifest({ plans: { small: { default: true, values: { tier: 'small' }, rotation: { gracePeriod: '2m' } } } }) });
      const { id } = await world.request('db');
      await world.drain();
      const first: Record<string, string> = { ...(await world.store.getInstance(id))!.outputs, ...(await world.secrets.get(id, CREDENTIALS))! };
      await world.store.requestRotation(id, world.userId);
      const { engine, reached } = crashingEngine(world, point);
      await world.drain(engine);
      if (point === 'revoke:after-intent') {
        world.clock.advance(GRACE_MS);
        await world.drain(engine);
      }
      expect(reached).toEqual([point]);
      await resumeAfterLeaseExpiry(world);
      if (point !== 'revoke:after-intent') {
        world.clock.advance(GRACE_MS);
        await world.drain();
      }
      await expectOneWorkingResource(world, id);
      const instance = (await world.store.getInstance(id))!;
      expect(instance.credentials).toEqual({ rotation: 1, rotating: false });
      expect(() => world.driver.connect(first)).toThrow(/refused/);
      expect([...resourcesOf(world).get(instance.externalName)!.credentials.keys()]).toEqual([1]);
      expect((await world.store.listEvents({ instanceId: id, kinds: ['credentials.rotated'] })).items).toHaveLength(1);
    });
  }

  for (const point of COMPOSITE) {
    it(`resumes a composite interrupted at ${point}`, async () => {
      const world = await makeWorld(open);
      await publish(world.store, pairManifest());
      const parent = await world.request('pair', { product: 'kvpair', target: 'composite' });
      const { engine, reached } = crashingEngine(world, point);
      // The parent's pass creates part `first`, then dies; the part itself is not leased.
      await world.drain(engine);
      expect(reached).toEqual([point]);
      await resumeAfterLeaseExpiry(world);
      expect((await world.store.getInstance(parent.id))!.status.phase).toBe('Ready');
      const parts = await world.store.listInstanceParts(parent.id);
      expect(parts.map((part) => part.name).sort()).toEqual(['pair-first', 'pair-second']);
      expect(resourcesOf(world).size).toBe(2);
    });
  }
});
