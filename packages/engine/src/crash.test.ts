import type { MemoryResource } from '@paved/driver-memory';
import { eachStore } from '@paved/store/testing';
import { expect, it } from 'vitest';
import { CREDENTIALS } from './outputs.js';
import { drain, makeWorld, type World } from './test-harness.js';

/**
 * Crash resumption: a failpoint throws at a named point, which ends the pass exactly as a
 * killed process would (no further write, lease left to expire). A second worker then takes
 * over after the lease lapses and must converge on one working resource, or none after a
 * deletion.
 */

const SHORT_LEASE_MS = 200;

class Crash extends Error {}

/** An engine that crashes the first time it reaches `point`; returns whether it got there. */
function crashingEngine(world: World, point: string) {
  const reached: string[] = [];
  const engine = world.engine({
    leaseMs: SHORT_LEASE_MS,
    failpoint: (name) => {
      if (name === point && reached.length === 0) {
        reached.push(name);
        throw new Crash(name);
      }
    },
  });
  return { engine, reached };
}

async function resumeAfterLeaseExpiry(world: World, claimedAt: number): Promise<void> {
  // Right after the crash the instance is still leased: nobody else may touch it. (Checked
  // only while the lease surely runs, so a slow machine cannot make this flaky.)
  const peek = world.engine();
  if (Date.now() - claimedAt < SHORT_LEASE_MS / 2) expect(await peek.runOnce()).toBe(0);
  await new Promise((resolve) => setTimeout(resolve, SHORT_LEASE_MS + 30));
  await drain(world.engine());
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
      const world = await makeWorld(await open());
      const { id } = await world.request('db');
      const { engine, reached } = crashingEngine(world, point);
      const claimedAt = Date.now();
      await engine.runOnce();
      expect(reached).toEqual([point]);
      await resumeAfterLeaseExpiry(world, claimedAt);
      await expectOneWorkingResource(world, id);
      expect((await world.store.listEvents({ instanceId: id, kinds: ['instance.ready'] })).items).toHaveLength(1);
    });
  }

  for (const point of ['update:after-intent', 'update:after-driver', 'update:after-secrets']) {
    it(`resumes an update interrupted at ${point}`, async () => {
      const world = await makeWorld(await open());
      const { id, externalName } = await world.request('db');
      await drain(world.engine());
      await world.store.updateInstanceSpec(id, { inputs: { size: 5 } }, world.userId);
      const { engine, reached } = crashingEngine(world, point);
      const claimedAt = Date.now();
      await engine.runOnce();
      expect(reached).toEqual([point]);
      await resumeAfterLeaseExpiry(world, claimedAt);
      await expectOneWorkingResource(world, id);
      expect((world.driver.resources() as Map<string, MemoryResource>).get(externalName)!.values).toEqual({ size: 5, tier: 'small' });
    });
  }

  for (const point of ['delete:before:revoke-token', 'delete:after:revoke-token', 'delete:before:drop', 'delete:after:drop', 'delete:before-forget']) {
    it(`resumes a deletion interrupted at ${point}`, async () => {
      const world = await makeWorld(await open());
      const { id } = await world.request('db');
      await drain(world.engine());
      await world.store.requestDeletion(id, world.userId);
      const { engine, reached } = crashingEngine(world, point);
      const claimedAt = Date.now();
      await engine.runOnce();
      expect(reached).toEqual([point]);
      const during = (await world.store.getInstance(id))!;
      expect(during.status.phase).toBe('Deleting');
      expect(during.status.conditions.find((c) => c.type === 'Deleting')).toMatchObject({ status: 'True', reason: 'DeletionInProgress' });
      await resumeAfterLeaseExpiry(world, claimedAt);
      expect(await world.store.getInstance(id)).toBeUndefined();
      expect(world.driver.resources().size).toBe(0);
      expect(await world.secrets.get(id, CREDENTIALS)).toBeUndefined();
    });
  }
});
