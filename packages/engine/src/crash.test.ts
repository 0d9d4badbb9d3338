import type { MemoryResource } from '@paved/driver-memory';
import { eachStore } from '@paved/store/testing';
import { expect, it } from 'vitest';
import { CREDENTIALS } from './outputs.js';
import { makeWorld, type World } from './test-harness.js';

/**
 * Crash resumption: a failpoint throws at a named point, which ends the pass exactly as a
 * killed process would (no further write, lease left to expire). A second worker then takes
 * over after the lease lapses and must converge on one working resource, or none after a
 * deletion.
 */

const LEASE_MS = 5_000;

class Crash extends Error {}

/** An engine that crashes the first time it reaches `point`; returns whether it got there. */
function crashingEngine(world: World, point: string) {
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

async function expectOneWorkingResource(world: World, id: string): Promise<void> {
  const instance = (await world.store.getInstance(id))!;
  expect(instance.status.phase).toBe('Ready');
  expect(instance.observedGeneration).toBe(instance.generation);
  const resources = [...(world.driver.resources() as Map<string, MemoryResource>).keys()];
  expect(resources).toEqual([instance.externalName]);
  const credentials = (await world.secrets.get(id, CREDENTIALS))!;
  expect(() => world.driver.connect({ ...instance.outputs, ...credentials })).not.toThrow();
}

eachStore('engine crash resumption', (open) => {
  for (const point of ['create:after-intent', 'create:after-driver', 'create:after-secrets']) {
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

  for (const point of ['update:after-intent', 'update:after-driver', 'update:after-secrets']) {
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
      expect((world.driver.resources() as Map<string, MemoryResource>).get(externalName)!.values).toEqual({ size: 5, tier: 'small' });
    });
  }

  for (const point of ['delete:before:revoke-token', 'delete:after:revoke-token', 'delete:before:drop', 'delete:after:drop', 'delete:before-forget']) {
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
});
