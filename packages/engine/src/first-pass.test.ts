import { silentLogger, type DriverContext } from '@paved/driver-api';
import { createMemoryDriver, type MemoryDriverOptions } from '@paved/driver-memory';
import type { Instance } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import { expect, it } from 'vitest';
import { CREDENTIALS } from './outputs.js';
import { makeWorld, type World } from './test-harness.js';

/**
 * A new instance's first pass creates without observing when its driver declares
 * createsUnobserved (first-pass.ts); a create that meets the resource makes the pass observe
 * and update, and any instance a pass has touched is observed first, as before.
 */

const LEASE_MS = 5_000;

function world(open: Parameters<typeof makeWorld>[0], mode?: MemoryDriverOptions['createsUnobserved']): Promise<World> {
  return makeWorld(open, { driver: createMemoryDriver(mode === undefined ? {} : { createsUnobserved: mode }) });
}

/** Makes the instance's resource on the target as someone else would: another token, other values. */
async function madeOutsidePaved(w: World, instance: Instance): Promise<void> {
  const ctx: DriverContext = {
    instance: { id: instance.id, team: w.teamName, name: instance.name, externalName: instance.externalName, product: 'kv', plan: 'small', values: { size: 9 } },
    target: w.target,
    secrets: { token: 'f'.repeat(48) },
    signal: new AbortController().signal,
    logger: silentLogger,
  };
  await w.driver.update(ctx);
}

/** The instance is Ready, and its resource takes the credentials Paved stored and holds its spec. */
async function expectAdopted(w: World, id: string): Promise<void> {
  const instance = (await w.store.getInstance(id))!;
  expect(instance.status.phase).toBe('Ready');
  expect(instance.observedGeneration).toBe(instance.generation);
  const credentials = (await w.secrets.get(id, CREDENTIALS))!;
  expect(() => w.driver.connect({ ...instance.outputs, ...credentials })).not.toThrow();
  expect(() => w.driver.connect({ name: instance.externalName, token: 'f'.repeat(48) })).toThrow(/refused/);
  expect(w.driver.resources().get(instance.externalName)!.values).toEqual({ size: 1, tier: 'small' });
}

eachStore('engine: a new instance\'s first pass', (open) => {
  it('creates without observing when the driver declares createsUnobserved', async () => {
    const w = await world(open, 'converges');
    const { id } = await w.request('db');
    await w.drain();
    expect((await w.store.getInstance(id))!.status.phase).toBe('Ready');
    expect(w.driver.calls()).toMatchObject({ observe: 0, create: 1, update: 0 });
  });

  it('observes first when the driver does not declare it', async () => {
    const w = await world(open);
    const { id } = await w.request('db');
    await w.drain();
    expect((await w.store.getInstance(id))!.status.phase).toBe('Ready');
    expect(w.driver.calls()).toMatchObject({ observe: 1, create: 1, update: 0 });
  });

  it('adopts a resource already there: a create that says so is followed by observe and an update, in the same pass', async () => {
    const w = await world(open, 'refuses');
    const instance = await w.request('db');
    await madeOutsidePaved(w, instance);
    const engine = w.engine();
    expect(await engine.runOnce()).toBe(1);
    await expectAdopted(w, instance.id);
    expect(w.driver.calls()).toMatchObject({ create: 1, observe: 1, update: 2 });
    expect((await w.store.listEvents({ instanceId: instance.id, kinds: ['instance.ready'] })).items).toHaveLength(1);
  });

  it('adopts a resource already there when create converges it, without observing', async () => {
    const w = await world(open, 'converges');
    const instance = await w.request('db');
    await madeOutsidePaved(w, instance);
    await w.drain();
    await expectAdopted(w, instance.id);
    expect(w.driver.calls()).toMatchObject({ create: 1, observe: 0, update: 1 });
  });

  it('observes on every pass after the first: a failed create is retried after a look', async () => {
    const w = await world(open, 'refuses');
    w.driver.failNext('create');
    const { id } = await w.request('db');
    await w.drain();
    expect((await w.store.getInstance(id))!.status.phase).toBe('Ready');
    expect(w.driver.calls()).toMatchObject({ observe: 1, create: 2 });
  });

  for (const mode of ['converges', 'refuses'] as const) {
    it(`resumes a first create that crashed after its driver call by observing (create ${mode})`, async () => {
      const w = await world(open, mode);
      const { id } = await w.request('db');
      const crashing = w.engine({ leaseMs: LEASE_MS, failpoint: (name) => { if (name === 'create:after-driver') throw new Error(name); } });
      await crashing.runOnce();
      expect(w.driver.calls()).toMatchObject({ observe: 0, create: 1 });
      w.clock.advance(LEASE_MS);
      await w.drain();
      const instance = (await w.store.getInstance(id))!;
      expect(instance.status.phase).toBe('Ready');
      // The intent was recorded: the next pass looked, found the resource and finished with an update.
      expect(w.driver.calls()).toMatchObject({ observe: 1, create: 1, update: 1 });
      expect([...w.driver.resources().keys()]).toEqual([instance.externalName]);
      const credentials = (await w.secrets.get(id, CREDENTIALS))!;
      expect(() => w.driver.connect({ ...instance.outputs, ...credentials })).not.toThrow();
    });
  }

  it('never skips observe for deletion, even of an instance no pass touched', async () => {
    const w = await world(open, 'converges');
    const { id } = await w.request('db');
    await w.store.requestDeletion(id, w.userId);
    await w.drain();
    expect(await w.store.getInstance(id)).toBeUndefined();
    expect(w.driver.calls().create).toBe(0);
  });
});
