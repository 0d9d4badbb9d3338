import { createMemoryDriver, type MemoryResource } from '@paved/driver-memory';
import type { DriverContext } from '@paved/driver-api';
import { QuotaError, type Instance } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import { expect, it } from 'vitest';
import type { Failpoint } from './failpoints.js';
import { CREDENTIALS, GENERATED_SECRETS } from './outputs.js';
import { makeWorld, type World } from './test-harness.js';
import type { Engine } from './types.js';

/**
 * A new instance's first intent recorded in its create's own transaction (create-intent.ts,
 * CreateClaimer.intentFor): when this process's worker takes the instance at its create and its
 * first pass would create without observing, the create commits the working status, the pending
 * create and the generated secrets with the instance; that pass then calls the driver with no
 * write of its own first. Any other pass that finds the intent observes first, as always.
 */

const LEASE_MS = 5_000;

function converging(open: Parameters<typeof makeWorld>[0]): Promise<World> {
  return makeWorld(open, { driver: createMemoryDriver({ createsUnobserved: 'converges' }) });
}

/** A started engine whose worker has made a pass already: the product version read, the sealing key known. */
async function warmEngine(w: World, options: Parameters<World['engine']>[0] = {}): Promise<Engine> {
  const engine = w.engine({ leaseMs: LEASE_MS, ...options });
  engine.start();
  await w.engineAsleep();
  const warm = await w.request('warm');
  await w.until(warm.id, (instance) => instance?.status.phase === 'Ready');
  await w.engineAsleep();
  return engine;
}

/** `body` beside a warm engine, stopped after it. */
async function withWarmEngine(w: World, body: () => Promise<void>): Promise<void> {
  const engine = await warmEngine(w);
  try {
    await body();
  } finally {
    await engine.stop();
  }
}

/** Counts the writes a pass makes through `w.store` (status, engine state, secrets) from now on; `n` may be reset. */
function writesCounted(w: World): { n: number } {
  const counted = { n: 0 };
  const recordStatus = w.store.recordStatus.bind(w.store);
  const recordEngineState = w.store.recordEngineState.bind(w.store);
  const putSecret = w.store.putSecret.bind(w.store);
  w.store.recordStatus = (...args) => (counted.n++, recordStatus(...args));
  w.store.recordEngineState = (...args) => (counted.n++, recordEngineState(...args));
  w.store.putSecret = (...args) => (counted.n++, putSecret(...args));
  return counted;
}

const resourcesOf = (w: World) => w.driver.resources() as Map<string, MemoryResource>;

async function expectOneWorkingResource(w: World, instance: Instance): Promise<void> {
  const now = (await w.store.getInstance(instance.id))!;
  expect(now.status.phase).toBe('Ready');
  expect(resourcesOf(w).has(instance.externalName)).toBe(true);
  expect([...resourcesOf(w).keys()].filter((name) => name === instance.externalName)).toHaveLength(1);
  const credentials = (await w.secrets.get(instance.id, CREDENTIALS))!;
  expect(() => w.driver.connect({ ...now.outputs, ...credentials })).not.toThrow();
}

eachStore('engine: the first intent in the create\'s own transaction', (open) => {
  it('is committed with the instance: the create answers Provisioning, and the pass calls create with the stored secrets, writing nothing first', async () => {
    const w = await converging(open);
    const seen: Array<{ secrets: Record<string, string>; stored: Record<string, string> | undefined; phase: string | undefined; writes: number }> = [];
    const writes = writesCounted(w);
    const create = async (ctx: DriverContext) => {
      seen.push({ secrets: ctx.secrets, stored: await w.secrets.get(ctx.instance.id, GENERATED_SECRETS), phase: (await w.store.getInstance(ctx.instance.id))?.status.phase, writes: writes.n });
      return w.driver.create(ctx);
    };
    const engine = await warmEngine(w, { drivers: { memory: { ...w.driver, create } } });
    try {
      seen.length = 0;
      const calls = w.driver.calls();
      writes.n = 0;
      const created = await w.request('db');
      // What was committed: the working status and its pending create, not Pending.
      expect(created.status.phase).toBe('Provisioning');
      expect(created.status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'Creating' });
      await w.until(created.id, (instance) => instance?.status.phase === 'Ready');
      expect(seen).toHaveLength(1);
      // The driver saw the secrets the create stored, and the intent, before any write of the pass.
      expect(seen[0]!.secrets).toEqual(seen[0]!.stored);
      expect(Object.keys(seen[0]!.secrets)).toEqual(['token']);
      expect(seen[0]!.phase).toBe('Provisioning');
      expect(seen[0]!.writes).toBe(0);
      // Without observing, as the intent-less first pass.
      expect(w.driver.calls().observe - calls.observe).toBe(0);
      await expectOneWorkingResource(w, created);
      expect((await w.store.listEvents({ instanceId: created.id, kinds: ['instance.ready'] })).items).toHaveLength(1);
    } finally {
      await engine.stop();
    }
  });

  it('is recorded by the first create after a start too: the sealing key looked up as the worker starts, the product version handed by the request', async () => {
    const w = await converging(open);
    const product = (await w.store.getProductVersion('kv', '1.0.0'))!; // as the server's create reads it
    const writes = writesCounted(w);
    let productReads = 0;
    const getProductVersion = w.store.getProductVersion.bind(w.store);
    w.store.getProductVersion = (...args) => (productReads++, getProductVersion(...args));
    const writesBeforeCreate: number[] = [];
    const create = (ctx: DriverContext) => (writesBeforeCreate.push(writes.n), w.driver.create(ctx));
    // A fresh engine: no pass has run, no secret been written through this secret store.
    const engine = w.engine({ leaseMs: LEASE_MS, drivers: { memory: { ...w.driver, create } } });
    engine.start();
    try {
      await w.engineAsleep();
      const created = await w.request('db', { productRead: product });
      expect(created.status.phase).toBe('Provisioning');
      await w.until(created.id, (instance) => instance?.status.phase === 'Ready');
      // Its pass recorded no intent of its own, read no product version, and did not observe.
      expect(writesBeforeCreate).toEqual([0]);
      expect(productReads).toBe(0);
      expect(w.driver.calls().observe).toBe(0);
      await expectOneWorkingResource(w, created);
    } finally {
      await engine.stop();
    }
  });

  for (const point of ['create:after-intent', 'create:after-driver'] as Failpoint[]) {
    it(`resumes by observing after a crash at ${point} of the pass the create handed its intent to`, async () => {
      const w = await converging(open);
      let crashed = false;
      const engine = await warmEngine(w, {
        failpoint: (name) => {
          if (name === point && !crashed && w.driver.resources().size >= (point === 'create:after-intent' ? 1 : 2)) {
            crashed = true;
            throw new Error(`crash at ${name}`);
          }
        },
      });
      let created: Instance;
      try {
        created = await w.request('db');
        expect(created.status.phase).toBe('Provisioning');
        while (!crashed) await new Promise((resolve) => setTimeout(resolve, 2));
      } finally {
        await engine.stop();
      }
      const generated = await w.secrets.get(created.id, GENERATED_SECRETS);
      const calls = w.driver.calls();
      // Another worker, once the dead one's lease lapsed: the recorded intent is observed, never created blind.
      w.clock.advance(LEASE_MS);
      await w.drain();
      expect(w.driver.calls().observe - calls.observe).toBe(1);
      await expectOneWorkingResource(w, created);
      expect(await w.secrets.get(created.id, GENERATED_SECRETS)).toEqual(generated);
      expect(resourcesOf(w).size).toBe(2);
    });
  }

  it('hands the lease back when the worker stops between the create\'s commit and its take: the next pass observes first', async () => {
    const w = await converging(open);
    let stopping: Promise<void> | undefined;
    let engine: Engine | undefined;
    // The worker stops while the create that it said yes to is committing (right after making its intent).
    const claimOnCreate = w.store.claimOnCreate.bind(w.store);
    w.store.claimOnCreate = (claimer) => claimOnCreate({
      ...claimer,
      intentFor: (request) => {
        const intent = claimer.intentFor!(request);
        if (intent !== undefined && request.name === 'db') stopping = engine!.stop();
        return intent;
      },
    });
    engine = await warmEngine(w);
    // The hand-back is not awaited by the worker (nor by its stop): its commit is awaited here before
    // the next claim, which on PostgreSQL could otherwise run first and find the row still leased.
    const released: Array<Promise<void>> = [];
    const releaseLease = w.store.releaseLease.bind(w.store);
    w.store.releaseLease = (...args) => {
      const release = releaseLease(...args);
      released.push(release);
      return release;
    };
    const calls = w.driver.calls();
    const created = await w.request('db');
    await stopping;
    expect(created.status.phase).toBe('Provisioning');
    expect(w.driver.calls().create - calls.create).toBe(0);
    expect(released).toHaveLength(1);
    await Promise.all(released);
    // Released, not left to lapse: claimed at once (the clock has not moved), observed, then created.
    await w.drain();
    expect(w.driver.calls().observe - calls.observe).toBe(1);
    expect(w.driver.calls().create - calls.create).toBe(1);
    await expectOneWorkingResource(w, created);
  });

  it('leaves nothing when the create\'s transaction fails: no row, no status, no secret', async () => {
    const w = await converging(open);
    await withWarmEngine(w, async () => {
      const id = '00000000-0000-4000-8000-0000000000a1';
      await expect(w.store.createInstance({
        id, teamId: w.teamId, name: 'over', product: 'kv', productVersion: '1.0.0', plan: 'small', inputs: {},
        externalName: 'over-ext', target: w.target.name, createdBy: w.userId, quota: { max: 1 },
      })).rejects.toBeInstanceOf(QuotaError);
      expect(await w.store.getInstance(id)).toBeUndefined();
      expect(await w.store.getSecret(id, GENERATED_SECRETS)).toBeUndefined();
    });
  });

  it('is not recorded by the create when the master key switched since the worker sealed with it: made again as before', async () => {
    const w = await converging(open);
    await withWarmEngine(w, async () => {
      // The worker seals with its one key (no keyring row yet); another process makes another key the active one.
      expect(await w.store.activateMasterKey({ keyId: 'another-key', version: 2 }, undefined)).toBe(true);
      const created = await w.request('db');
      expect(created.status.phase).toBe('Pending');
      expect(await w.store.getSecret(created.id, GENERATED_SECRETS)).toBeUndefined();
    });
  });

  it('is left to the pass when the driver would observe first', async () => {
    const w = await makeWorld(open);
    await withWarmEngine(w, async () => {
      const created = await w.request('db');
      expect(created.status.phase).toBe('Pending');
      await w.until(created.id, (instance) => instance?.status.phase === 'Ready');
    });
  });
});
