import { DriverError } from '@paved/model';
import { driverPending, targetUnreachable, type DriverContext } from '@paved/driver-api';
import type { MemoryResource } from '@paved/driver-memory';
import { eachStore } from '@paved/store/testing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, UNREACHABLE_RETRY_MAX_MS } from './backoff.js';
import type { SecretStore } from '@paved/secrets';
import { CREDENTIALS, GENERATED_SECRETS } from './outputs.js';
import { kvManifest, makeWorld, publish, TEST_BACKOFF, type World } from './test-harness.js';

async function kinds(world: World, instanceId: string): Promise<string[]> {
  const page = await world.store.listEvents({ instanceId, limit: 100 });
  return page.items.map((event) => event.kind);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function resourcesOf(world: World): Map<string, MemoryResource> {
  return world.driver.resources() as Map<string, MemoryResource>;
}

eachStore('engine', (open) => {
  it('creates an instance: Ready, plain outputs stored, credentials encrypted and working', async () => {
    const world = await makeWorld(open);
    const requested = await world.request('db');
    expect(await world.drain()).toBe(1);

    const instance = (await world.store.getInstance(requested.id))!;
    expect(instance.status.phase).toBe('Ready');
    expect(instance.observedGeneration).toBe(1);
    expect(instance.status.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'True', 'Available'],
      ['Synced', 'True', 'ReconcileSuccess'],
    ]);
    expect(instance.outputs).toEqual({ name: instance.externalName });

    const credentials = (await world.secrets.get(instance.id, CREDENTIALS))!;
    expect(credentials.token).toMatch(/^[0-9a-f]{32}$/);
    const row = (await world.store.getSecret(instance.id, CREDENTIALS))!;
    expect(row.envelope).not.toContain(credentials.token);
    // The stored credentials are the ones the resource accepts.
    expect(() => world.driver.connect({ ...instance.outputs, ...credentials })).not.toThrow();
    expect(resourcesOf(world).get(instance.externalName)?.values).toEqual({ size: 1, tier: 'small' });

    const events = await world.store.listEvents({ instanceId: instance.id, kinds: ['instance.ready'] });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]!.data.timeToReadyMs).toEqual(expect.any(Number));
    // A second pass with nothing to do calls no mutation and appends no event.
    await world.store.touch(instance.id);
    await world.drain();
    expect(world.driver.calls()).toMatchObject({ create: 1, update: 0 });
    expect(await kinds(world, instance.id)).toEqual(expect.arrayContaining(['instance.requested', 'instance.ready']));
    expect((await kinds(world, instance.id)).filter((k) => k === 'instance.ready')).toHaveLength(1);
  });

  it('stores a new instance\'s generated secrets with its intent record, before the driver sees them; a failed write creates nothing', async () => {
    const world = await makeWorld(open);
    const writes: string[] = [];
    let refuse = true;
    const secrets: SecretStore = {
      ...world.secrets,
      async put(ownerId, name, values) {
        writes.push(name);
        if (name === GENERATED_SECRETS && refuse) {
          refuse = false;
          throw new Error('the store is briefly unreachable');
        }
        return world.secrets.put(ownerId, name, values);
      },
    };
    const engine = world.engine({ secrets });
    const { id } = await world.request('db');
    await engine.runOnce();
    const failed = (await world.store.getInstance(id))!;
    expect(world.driver.calls().create).toBe(0);
    expect(failed.status.conditions.find((c) => c.type === 'Ready')?.message).toMatch(/^Preparing the credentials of .*the store is briefly unreachable/);
    expect(await world.secrets.get(id, GENERATED_SECRETS)).toBeUndefined();

    await world.drain(engine);
    expect((await world.store.getInstance(id))!.status.phase).toBe('Ready');
    expect(world.driver.calls().create).toBe(1);
    // Stored once, before the credentials the create issued; the driver was given those values.
    expect(writes.slice(1)).toEqual([GENERATED_SECRETS, CREDENTIALS]);
    const [resource] = resourcesOf(world).values();
    expect(resource!.token).toBe((await world.secrets.get(id, GENERATED_SECRETS))!.token);
  });

  it('stores only the credentials as flushed by a later commit (the status after them); the generated secrets with the intent, flushed before the driver call', async () => {
    const world = await makeWorld(open);
    const puts: string[] = [];
    const secrets: SecretStore = {
      ...world.secrets,
      async put(ownerId, name, values, options) {
        puts.push(`${name}${options?.flushedLater === true ? ' flushed later' : ''}`);
        return world.secrets.put(ownerId, name, values, options);
      },
    };
    const engine = world.engine({ secrets });
    const { id } = await world.request('db');
    await world.drain(engine);
    expect((await world.store.getInstance(id))!.status.phase).toBe('Ready');
    expect(puts).toEqual([GENERATED_SECRETS, `${CREDENTIALS} flushed later`]);
  });

  it('applies a spec change and bumps observedGeneration', async () => {
    const world = await makeWorld(open);
    const { id } = await world.request('db');
    await world.drain();
    await world.store.updateInstanceSpec(id, { inputs: { size: 3 } }, world.userId);
    await world.drain();
    const instance = (await world.store.getInstance(id))!;
    expect(instance).toMatchObject({ generation: 2, observedGeneration: 2, status: { phase: 'Ready' } });
    expect(resourcesOf(world).get(instance.externalName)?.values).toEqual({ size: 3, tier: 'small' });
    expect(world.driver.calls()).toMatchObject({ create: 1, update: 1 });
  });

  it('deletes: runs every deletion step, then forgets the instance and its secrets', async () => {
    const world = await makeWorld(open);
    const { id, externalName } = await world.request('db');
    await world.drain();
    await world.store.requestDeletion(id, world.userId);
    await world.drain();
    expect(await world.store.getInstance(id)).toBeUndefined();
    expect(resourcesOf(world).has(externalName)).toBe(false);
    expect(world.driver.calls().delete).toBe(2);
    expect(await world.secrets.get(id, CREDENTIALS)).toBeUndefined();
    expect(await kinds(world, id)).toContain('instance.deleted');
  });

  it('retries a retryable failure with backoff, says so, then becomes Ready', async () => {
    const world = await makeWorld(open);
    const { id } = await world.request('db');
    world.driver.failNext('create', 2);
    const engine = world.engine();
    expect(await engine.runOnce()).toBe(1);
    const retrying = (await world.store.getInstance(id))!;
    expect(retrying.status.phase).toBe('Provisioning');
    const ready = retrying.status.conditions.find((c) => c.type === 'Ready')!;
    expect(ready.reason).toBe('RetryingAfterError');
    expect(ready.message).toContain('Paved retries automatically (attempt 1 of 5)');
    expect(retrying.status.lastError).toContain('injected create failure');

    await world.drain(engine);
    const instance = (await world.store.getInstance(id))!;
    expect(instance.status.phase).toBe('Ready');
    expect(instance.status.lastError).toBeUndefined();
    expect(world.driver.calls().create).toBe(3);
    expect(resourcesOf(world).size).toBe(1);
  });

  it('fails for good on a non-retryable driver error, with a message for people', async () => {
    const world = await makeWorld(open);
    const { id } = await world.request('db');
    const driver = { ...world.driver, create: async () => { throw new DriverError('the target refuses new resources: disk quota reached', { retryable: false }); } };
    await world.engine({ drivers: { memory: driver } }).runOnce();
    const instance = (await world.store.getInstance(id))!;
    expect(instance.status.phase).toBe('Failed');
    const ready = instance.status.conditions.find((c) => c.type === 'Ready')!;
    expect(ready.reason).toBe('ProvisioningFailed');
    expect(ready.message).toMatch(/^Creating ".+" on target "mem-1" failed: the target refuses new resources: disk quota reached\. Retrying will not help/);
    expect(ready.message).toContain('#platform');
    expect(await kinds(world, id)).toContain('instance.failed');

    // Not retried: the same refused work would run again at every backoff. `paved reconcile` asks again.
    const engine = world.engine({ drivers: { memory: driver } });
    world.clock.advance(TEST_BACKOFF.maxMs * 10);
    expect(await engine.runOnce()).toBe(0);
    expect((await world.store.getInstance(id))!.status.phase).toBe('Failed');
    await world.store.requestReconcile(id, 'ann');
    expect(await engine.runOnce()).toBe(1);
  });

  it('gives up after 5 retryable failures (Failed), keeps retrying, and recovers', async () => {
    const world = await makeWorld(open);
    const { id } = await world.request('db');
    world.driver.failNext('create', 5);
    const engine = world.engine();
    for (let i = 0; i < 5; i++) {
      // Past the longest backoff: the retry is due.
      world.clock.advance(TEST_BACKOFF.maxMs);
      expect(await engine.runOnce()).toBe(1);
    }
    const failed = (await world.store.getInstance(id))!;
    expect(failed.status.phase).toBe('Failed');
    expect(failed.status.conditions[0]!.message).toContain('Gave up after 5 attempts');
    await world.drain(engine);
    expect((await world.store.getInstance(id))!.status.phase).toBe('Ready');
  });

  it('waits, without counting failures or giving up, while a driver reports work under way elsewhere', async () => {
    const world = await makeWorld(open);
    const { id } = await world.request('db');
    let waits = 7; // more than MAX_ATTEMPTS: a slow automation must never turn the instance Failed
    const driver = {
      ...world.driver,
      create: async (ctx: DriverContext) => {
        if (waits-- > 0) throw driverPending('waiting for the automation to finish create (delivery d-1)');
        return world.driver.create(ctx);
      },
    };
    const engine = world.engine({ drivers: { memory: driver } });
    for (let i = 0; i < 7; i++) {
      await world.store.touch(id); // what the signed callback does; otherwise the next look is in 5 s
      expect(await engine.runOnce()).toBe(1);
      const waiting = (await world.store.getInstance(id))!;
      expect(waiting.status.phase).toBe('Provisioning');
      const ready = waiting.status.conditions.find((c) => c.type === 'Ready')!;
      expect(ready.reason).toBe('WaitingForDriver');
      expect(ready.message).toContain('is under way: waiting for the automation to finish create');
    }
    expect(await kinds(world, id)).not.toContain('instance.failed');
    await world.store.touch(id);
    await world.drain(engine);
    expect((await world.store.getInstance(id))!.status.phase).toBe('Ready');
  });

  it('waits for an unreachable target without ever failing, tries again within the short cap, and carries on when it answers', async () => {
    const world = await makeWorld(open);
    const { id } = await world.request('db');
    let down = 12; // far more than MAX_ATTEMPTS
    const driver = {
      ...world.driver,
      create: async (ctx: DriverContext) => {
        if (down-- > 0) throw targetUnreachable('memory: create failed: connect ECONNREFUSED 127.0.0.1:1');
        return world.driver.create(ctx);
      },
    };
    // The production backoff, whose cap (5 min) the unreachable cap must override.
    const engine = world.engine({ drivers: { memory: driver }, backoff: DEFAULT_BACKOFF });
    for (let i = 0; i < 12; i++) {
      world.clock.advance(UNREACHABLE_RETRY_MAX_MS);
      expect(await engine.runOnce()).toBe(1);
      const waiting = (await world.store.getInstance(id))!;
      expect(waiting.status.phase).toBe('Provisioning');
      const ready = waiting.status.conditions.find((c) => c.type === 'Ready')!;
      expect(ready.reason).toBe('TargetUnreachable');
      expect(ready.message).toMatch(/^Target "mem-1" cannot be reached: memory: create failed: connect ECONNREFUSED 127\.0\.0\.1:1\. Creating ".+" waits for it; this is not a failure of the request: Paved tries again at least every 10 s/);
      expect((await world.store.nextDueAt())! - world.clock.now()).toBeLessThanOrEqual(UNREACHABLE_RETRY_MAX_MS);
    }
    expect(await kinds(world, id)).not.toContain('instance.failed');
    world.clock.advance(UNREACHABLE_RETRY_MAX_MS);
    await world.drain(engine);
    expect((await world.store.getInstance(id))!.status.phase).toBe('Ready');
  });

  it('counts a real failure after a wait for the target from attempt 1, and fails for good on one that retrying cannot fix', async () => {
    const world = await makeWorld(open);
    const { id } = await world.request('db');
    const errors = [
      ...Array.from({ length: 6 }, () => targetUnreachable('memory: connect ECONNREFUSED 127.0.0.1:1')),
      new DriverError('memory: create failed: lock timeout'),
      new DriverError('memory: create failed: permission denied', { retryable: false }),
    ];
    const driver = { ...world.driver, create: async () => { throw errors.shift()!; } };
    const engine = world.engine({ drivers: { memory: driver } });
    for (let i = 0; i < 7; i++) {
      world.clock.advance(UNREACHABLE_RETRY_MAX_MS);
      await engine.runOnce();
    }
    const retrying = (await world.store.getInstance(id))!;
    expect(retrying.status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'RetryingAfterError', message: expect.stringContaining('(attempt 1 of 5)') });
    world.clock.advance(UNREACHABLE_RETRY_MAX_MS);
    await engine.runOnce();
    const failed = (await world.store.getInstance(id))!;
    expect(failed.status.phase).toBe('Failed');
    expect(failed.status.conditions.find((c) => c.type === 'Ready')?.reason).toBe('ProvisioningFailed');
  });

  it('says what to do when the target, driver or product version is missing', async () => {
    const world = await makeWorld(open);
    await publish(world.store, kvManifest({ version: '2.0.0', driver: 'nosuch' }));
    const noTarget = await world.request('a', { target: 'nowhere' });
    const noDriver = await world.request('b', { version: '2.0.0' });
    const noVersion = await world.request('c', { version: '9.9.9' });
    await world.engine().runOnce();
    const reason = async (id: string) => (await world.store.getInstance(id))!.status.conditions.find((c) => c.type === 'Ready')!;
    expect(await reason(noTarget.id)).toMatchObject({ reason: 'TargetNotFound', message: expect.stringContaining('add it to the server configuration') });
    expect(await reason(noDriver.id)).toMatchObject({ reason: 'DriverNotFound', message: expect.stringContaining('"nosuch"') });
    expect(await reason(noVersion.id)).toMatchObject({ reason: 'ProductVersionNotFound', message: expect.stringContaining('kv@9.9.9') });
    expect((await world.store.getInstance(noTarget.id))!.status.phase).toBe('Failed');
    expect(world.driver.calls().create).toBe(0);
  });

  it('writes no status when a drift check finds nothing changed (the status hash of the Ready pass matches)', async () => {
    const world = await makeWorld(open);
    const { id } = await world.request('db');
    await world.drain();
    const ready = (await world.store.getInstance(id))!;
    expect(ready.status.phase).toBe('Ready');
    const eventsBefore = await kinds(world, id);

    // Later, so that a status written again would carry a new updatedAt.
    world.clock.advance(60_000);
    await world.store.touch(id);
    expect(await world.drain()).toBeGreaterThan(0);
    const checked = (await world.store.getInstance(id))!;
    expect(checked.updatedAt).toBe(ready.updatedAt);
    expect(checked.status).toEqual(ready.status);
    expect(await kinds(world, id)).toEqual(eventsBefore);
  });

  it('repairs drift: re-creates a vanished resource and fixes a changed one', async () => {
    const world = await makeWorld(open);
    const { id, externalName } = await world.request('db');
    await world.drain();
    const before = (await world.secrets.get(id, CREDENTIALS))!;

    resourcesOf(world).delete(externalName);
    await world.store.touch(id);
    await world.drain();
    expect(resourcesOf(world).has(externalName)).toBe(true);
    const instance = (await world.store.getInstance(id))!;
    expect(instance.status.phase).toBe('Ready');
    expect(await world.secrets.get(id, CREDENTIALS)).toEqual(before);
    expect(() => world.driver.connect({ ...instance.outputs, ...before })).not.toThrow();

    resourcesOf(world).get(externalName)!.values = { size: 42, tier: 'small' };
    await world.store.touch(id);
    await world.drain();
    expect(resourcesOf(world).get(externalName)!.values).toEqual({ size: 1, tier: 'small' });
    const events = await kinds(world, id);
    expect(events.filter((k) => k === 'instance.drifted')).toHaveLength(2);
    expect(events.filter((k) => k === 'instance.repaired')).toHaveLength(2);
  });

  it('reports drift in report mode without touching the resource', async () => {
    const world = await makeWorld(open);
    const manifest = kvManifest({ drift: 'report' });
    manifest.metadata.name = 'kv-report';
    await publish(world.store, manifest);
    const { id, externalName } = await world.request('db', { product: 'kv-report' });
    await world.drain();

    resourcesOf(world).get(externalName)!.values = { size: 7, tier: 'small' };
    await world.store.touch(id);
    await world.drain();
    let instance = (await world.store.getInstance(id))!;
    expect(instance.status.phase).toBe('Ready');
    const synced = instance.status.conditions.find((c) => c.type === 'Synced')!;
    expect(synced).toMatchObject({ status: 'False', reason: 'Drifted' });
    expect(synced.message).toContain('value "size" is 7, wants 1');
    expect(resourcesOf(world).get(externalName)!.values).toEqual({ size: 7, tier: 'small' });

    resourcesOf(world).delete(externalName);
    for (let i = 0; i < 2; i++) {
      await world.store.touch(id);
      await world.drain();
    }
    instance = (await world.store.getInstance(id))!;
    expect(instance.status.phase).toBe('Failed');
    expect(instance.status.conditions.find((c) => c.type === 'Ready')!.reason).toBe('ResourceMissing');
    expect(resourcesOf(world).has(externalName)).toBe(false);
    expect(world.driver.calls()).toMatchObject({ create: 1, update: 0 });
    // Once per distinct drift, not once per check.
    expect((await kinds(world, id)).filter((k) => k === 'instance.drifted')).toHaveLength(2);
  });

  it('queues driver mutations beyond the target\'s concurrency instead of failing them', async () => {
    const world = await makeWorld(open);
    let active = 0;
    let peak = 0;
    const release = deferred();
    const create = async (ctx: DriverContext) => {
      active++;
      peak = Math.max(peak, active);
      await release.promise;
      active--;
      return world.driver.create(ctx);
    };
    // A pass enters the target's queue in the same turn as it passes its intent failpoint, so
    // once all five have passed it, every one is either in a driver call or queued.
    let atGate = 0;
    const allAtGate = deferred();
    const failpoint = (name: string) => {
      if (name === 'create:after-intent' && ++atGate === 5) allAtGate.resolve();
    };
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => world.request(name)));
    const engine = world.engine({ concurrency: 5, targets: [{ ...world.target, concurrency: 2 }], drivers: { memory: { ...world.driver, create } }, failpoint });
    const passes = engine.runOnce();
    await allAtGate.promise;
    expect(active).toBe(2);
    release.resolve();
    expect(await passes).toBe(5);
    expect(peak).toBe(2);
    const { items } = await world.store.listInstances({ teamIds: [world.teamId] });
    expect(items.map((instance) => instance.status.phase)).toEqual(['Ready', 'Ready', 'Ready', 'Ready', 'Ready']);
  });

  it('runs as a loop: a request is picked up at once, without a poll interval', async () => {
    const world = await makeWorld(open);
    const engine = world.engine();
    engine.start();
    try {
      // The loop found nothing and sleeps. The clock never moves in this test, so that sleep
      // never ends by itself: only the store's change notification can wake the loop.
      await world.engineAsleep();
      const { id } = await world.request('db');
      const ready = await world.until(id, (instance) => instance?.status.phase === 'Ready');
      expect(ready?.observedGeneration).toBe(1);
    } finally {
      await engine.stop();
    }
    // stop() released the lease (which the still clock would never expire): another worker can claim it at once.
    const { items } = await world.store.listInstances({ teamIds: [world.teamId] });
    await Promise.all(items.map((instance) => world.store.touch(instance.id)));
    expect(await world.engine().runOnce()).toBe(1);
  });
  it('claims nothing after a pass that left its instance Ready and due later, or forgot it, while the loop sleeps for want of work', async () => {
    const world = await makeWorld(open);
    const engine = world.engine();
    let claims = 0;
    const claimDue = world.store.claimDue.bind(world.store);
    world.store.claimDue = (input) => {
      claims++;
      return claimDue(input);
    };
    engine.start();
    try {
      await world.engineAsleep();
      const before = claims;
      // Handed to the engine by the create itself (Store.claimOnCreate): no claim, before or after.
      const { id } = await world.request('db');
      await world.until(id, (instance) => instance?.status.phase === 'Ready');
      await new Promise((resolve) => setImmediate(resolve));
      await world.engineAsleep();
      expect(claims).toBe(before);
      // A delete request wakes it (the instance is not held then); the pass that forgets the instance does not.
      await world.store.requestDeletion(id, 'someone');
      await world.until(id, (instance) => instance === undefined);
      await new Promise((resolve) => setImmediate(resolve));
      await world.engineAsleep();
      expect(claims).toBe(before + 1);
      // Anything else still wakes the loop at once (the clock never moves here).
      const other = await world.request('other');
      expect((await world.until(other.id, (instance) => instance?.status.phase === 'Ready'))?.status.phase).toBe('Ready');
    } finally {
      await engine.stop();
    }
  });

  it('takes an instance again at once when it was changed while its pass held it', async () => {
    const world = await makeWorld(open);
    const started = deferred();
    const release = deferred();
    const create = async (ctx: DriverContext) => {
      started.resolve();
      await release.promise;
      return world.driver.create(ctx);
    };
    const engine = world.engine({ drivers: { memory: { ...world.driver, create } } });
    engine.start();
    try {
      await world.engineAsleep();
      const { id } = await world.request('db');
      await started.promise;
      // A spec change while the pass holds the lease: the store keeps it due now, and the
      // pass's end must wake the loop for it (the clock never moves in this test).
      await world.store.updateInstanceSpec(id, { plan: 'small', productVersion: '1.0.0', inputs: { size: 2 } }, 'someone');
      release.resolve();
      const updated = await world.until(id, (instance) => instance?.status.phase === 'Ready' && instance.observedGeneration === 2);
      expect(updated?.generation).toBe(2);
    } finally {
      await engine.stop();
    }
  });

  it('on PostgreSQL, counts a pass that waits for the commit of its last write as a free slot: the next instance is claimed and provisioned meanwhile', async ({ skip }) => {
    const world = await makeWorld(open);
    if (world.store.dialect !== 'postgres') skip('on SQLite the commit is the engine\'s own thread\'s work: nothing to overlap, the slot stays taken (engine.ts)');
    const first = await world.request('first');
    const second = await world.request('second');
    const held = deferred();
    const commit = deferred();
    const recordStatus = world.store.recordStatus.bind(world.store);
    world.store.recordStatus = async (id, leaseToken, write) => {
      if (id === first.id && write.releaseLease === true) {
        held.resolve();
        await commit.promise;
      }
      return recordStatus(id, leaseToken, write);
    };
    const engine = world.engine({ concurrency: 1 });
    engine.start();
    try {
      await held.promise;
      // One slot, held by the first pass until its Ready write commits: the second instance is claimed and made Ready meanwhile.
      expect((await world.until(second.id, (instance) => instance?.status.phase === 'Ready'))?.status.phase).toBe('Ready');
      expect(world.driver.resources().size).toBe(2);
    } finally {
      commit.resolve();
      await engine.stop();
    }
    expect((await world.store.getInstance(first.id))?.status.phase).toBe('Ready');
  });
});

describe('engine options', () => {
  it('exports the engine, its pure plans and backoff from the package face', async () => {
    const face = await import('./index.js');
    expect(typeof face.createEngine).toBe('function');
    expect([face.planReconcile, face.planInstance, face.planComposite].map((plan) => typeof plan)).toEqual(['function', 'function', 'function']);
    expect(face.planComposite({ deletionRequested: true, includes: [], parts: [], specs: new Map() }).steps.map((step) => step.kind)).toEqual(['forget']);
    expect(face.backoffDelay(3, { baseMs: 100, maxMs: 1000 }, () => 0.5)).toBe(200);
  });
});
