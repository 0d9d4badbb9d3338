import type { Driver, DriverContext } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import { eachStore, type OpenStore } from '@paved/store/testing';
import { expect, it } from 'vitest';
import { CREDENTIALS } from './outputs.js';
import { makeWorld, pairManifest, publish, type World } from './test-harness.js';

/** The real memory driver, with the order of its mutating calls recorded per instance. */
function recording(world: World, failCreateOf?: string): { driver: Driver; log: string[] } {
  const log: string[] = [];
  const inner = world.driver;
  const driver: Driver = {
    ...inner,
    async create(ctx: DriverContext) {
      log.push(`create ${ctx.instance.name}`);
      if (ctx.instance.name === failCreateOf) throw new DriverError('the target refuses new resources', { retryable: false });
      return inner.create(ctx);
    },
    deletion: inner.deletion.map((step) => ({
      ...step,
      run: async (ctx: DriverContext) => {
        log.push(`delete:${step.name} ${ctx.instance.name}`);
        return step.run(ctx);
      },
    })),
  };
  return { driver, log };
}

async function setUp(open: OpenStore) {
  const world = await makeWorld(open);
  await publish(world.store, pairManifest());
  return world;
}

eachStore('engine: composite products', (open) => {
  it('creates parts in dependency order, then is Ready with the mapped outputs and one credentials secret', async () => {
    const world = await setUp(open);
    const { driver, log } = recording(world);
    const engine = world.engine({ drivers: { memory: driver } });
    const parent = await world.request('pair', { product: 'kvpair', target: 'composite' });
    await world.drain(engine);

    const ready = (await world.store.getInstance(parent.id))!;
    expect(ready.status.phase).toBe('Ready');
    // By name: the world's clock stands still, so both parts share a creation time.
    const parts = (await world.store.listInstanceParts(parent.id)).sort((a, b) => a.name.localeCompare(b.name));
    expect(parts.map((p) => [p.name, p.parent?.part, p.status.phase, p.inputs])).toEqual([
      ['pair-first', 'first', 'Ready', { size: 1 }],
      ['pair-second', 'second', 'Ready', { size: 2 }],
    ]);
    expect(log).toEqual(['create pair-first', 'create pair-second']);
    const [first, second] = parts;
    expect(ready.outputs).toEqual({ firstName: first!.outputs.name, secondName: second!.outputs.name });
    expect(ready.observedGeneration).toBe(ready.generation);
    // The secret output stays secret: copied from the part's credentials into the parent's own.
    const firstSecret = (await world.secrets.get(first!.id, CREDENTIALS))!;
    expect(await world.secrets.get(parent.id, CREDENTIALS)).toEqual({ token: firstSecret.token });
    expect(ready.status.conditions.find((c) => c.type === 'Ready')!.message).toContain('first (kv), second (kv) are Ready');
    const events = await world.store.listEvents({ instanceId: parent.id, kinds: ['instance.ready'] });
    expect(events.items).toHaveLength(1);
  });

  it('deletes parts in reverse dependency order, then forgets the parent and its secrets', async () => {
    const world = await setUp(open);
    const { driver, log } = recording(world);
    const engine = world.engine({ drivers: { memory: driver } });
    const parent = await world.request('pair', { product: 'kvpair', target: 'composite' });
    await world.drain(engine);
    log.length = 0;

    await world.store.requestDeletion(parent.id, world.userId);
    await world.drain(engine);
    expect(await world.store.getInstance(parent.id)).toBeUndefined();
    expect(await world.store.listInstanceParts(parent.id)).toEqual([]);
    expect(await world.store.getInstanceByName(world.teamId, 'pair-first')).toBeUndefined();
    expect(await world.secrets.get(parent.id, CREDENTIALS)).toBeUndefined();
    expect(world.driver.resources().size).toBe(0);
    // Every step of `second` ran before the first step of `first`.
    const lastOfSecond = Math.max(...log.map((line, i) => (line.endsWith(' pair-second') ? i : -1)));
    const firstOfFirst = log.findIndex((line) => line.endsWith(' pair-first'));
    expect(lastOfSecond).toBeGreaterThanOrEqual(0);
    expect(firstOfFirst).toBeGreaterThan(lastOfSecond);
  });

  it('is Failed, naming the part, when a part fails', async () => {
    const world = await setUp(open);
    const { driver } = recording(world, 'pair-second');
    const engine = world.engine({ drivers: { memory: driver } });
    const parent = await world.request('pair', { product: 'kvpair', target: 'composite' });
    await world.drain(engine);

    const failed = (await world.store.getInstance(parent.id))!;
    expect(failed.status.phase).toBe('Failed');
    const ready = failed.status.conditions.find((c) => c.type === 'Ready')!;
    expect(ready.reason).toBe('PartFailed');
    expect(ready.message).toContain('part second (kv "pair-second") failed');
    expect(ready.message).toContain('the target refuses new resources');
    const events = await world.store.listEvents({ instanceId: parent.id, kinds: ['instance.failed'] });
    expect(events.items).toHaveLength(1);
    // The first part is untouched and Ready.
    expect((await world.store.getInstanceByName(world.teamId, 'pair-first'))!.status.phase).toBe('Ready');
  });

  it('waits on parts while they provision, saying which', async () => {
    const world = await setUp(open);
    const parent = await world.request('pair', { product: 'kvpair', target: 'composite' });
    const engine = world.engine();
    // One pass of the parent alone: it creates `first` and waits.
    await engine.runOnce();
    const waiting = (await world.store.getInstance(parent.id))!;
    expect(waiting.status.phase).toBe('Provisioning');
    expect(waiting.status.conditions[0]!.message).toBe('Waiting for parts: first (Pending), second (waits for first).');
    expect((await world.store.listInstanceParts(parent.id)).map((p) => p.name)).toEqual(['pair-first']);
  });
});
