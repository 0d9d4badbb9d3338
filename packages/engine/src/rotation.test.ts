import type { MemoryDriver, MemoryResource } from '@paved/driver-memory';
import { eachStore } from '@paved/store/testing';
import { expect, it } from 'vitest';
import { CREDENTIALS, generatedSecretsName } from './outputs.js';
import type { OpenStore } from '@paved/store/testing';
import { kvManifest, makeWorld, type World } from './test-harness.js';

/**
 * Credential rotation through the engine, on the memory driver (which keeps every issued token
 * until revoked): rotate → both credentials work → after the grace period the old one is
 * refused. The grace period passes on the world's clock, to the millisecond.
 */

/** Shorter than the drift check (5 minutes), so nothing else makes the instance due before it ends. */
const GRACE_MS = 2 * 60_000;
const rotatingManifest = () => kvManifest({ plans: { small: { default: true, values: { tier: 'small' }, rotation: { gracePeriod: '2m' } } } });

async function readyWorld(open: OpenStore, driver?: MemoryDriver) {
  const world = await makeWorld(open, { manifest: rotatingManifest(), ...(driver ? { driver } : {}) });
  const instance = await world.request('db');
  await world.drain();
  const credentials = (await world.secrets.get(instance.id, CREDENTIALS))!;
  const first: Record<string, string> = { ...instance.outputs, name: instance.externalName, ...credentials };
  return { world, id: instance.id, first };
}

async function current(world: World, id: string) {
  const instance = (await world.store.getInstance(id))!;
  return { instance, outputs: { ...instance.outputs, ...(await world.secrets.get(id, CREDENTIALS))! } };
}

const kindsOf = async (world: World, id: string) => (await world.store.listEvents({ instanceId: id, limit: 100 })).items.map((e) => e.kind);

eachStore('engine: credential rotation', (open) => {
  it('issues a new credential while the old one keeps working, then revokes the old one after the grace period', async () => {
    const { world, id, first } = await readyWorld(open);
    await world.store.requestRotation(id, world.userId);
    const rotatedAt = world.clock.now();
    await world.drain();

    const { instance, outputs: second } = await current(world, id);
    expect(second.token).not.toBe(first.token);
    expect(instance.status.phase).toBe('Ready');
    expect(instance.credentials.rotation).toBe(1);
    expect(instance.credentials.rotating).toBe(false);
    expect(Date.parse(instance.credentials.previousRevokeAt!)).toBe(rotatedAt + GRACE_MS);
    // During the grace period both work.
    expect(() => world.driver.connect(first)).not.toThrow();
    expect(() => world.driver.connect(second)).not.toThrow();
    expect(await world.secrets.get(id, generatedSecretsName(1))).toEqual({ token: second.token });

    // Not a millisecond early.
    world.clock.advance(GRACE_MS - 1);
    expect(await world.engine().runOnce()).toBe(0);
    expect(() => world.driver.connect(first)).not.toThrow();
    world.clock.advance(1);
    await world.drain();
    expect(() => world.driver.connect(first)).toThrow(/refused/);
    expect(() => world.driver.connect(second)).not.toThrow();
    const after = (await world.store.getInstance(id))!;
    expect(after.credentials).toEqual({ rotation: 1, rotating: false });
    // The retired credential's generated secret is gone; the current one stays.
    expect(await world.secrets.get(id, generatedSecretsName(0))).toBeUndefined();
    expect(await kindsOf(world, id)).toEqual(expect.arrayContaining(['credentials.rotation-requested', 'credentials.rotated', 'credentials.revoked']));
    expect(world.driver.calls()).toMatchObject({ rotate: 1, revoke: 1 });
  });

  it('a second rotation during the grace period revokes the older credential first: never more than two work', async () => {
    const { world, id, first } = await readyWorld(open);
    await world.store.requestRotation(id, world.userId);
    await world.drain();
    const { outputs: second } = await current(world, id);
    await world.store.requestRotation(id, world.userId);
    await world.drain();
    const { instance, outputs: third } = await current(world, id);
    expect(instance.credentials.rotation).toBe(2);
    expect(() => world.driver.connect(first)).toThrow(/refused/);
    expect(() => world.driver.connect(second)).not.toThrow();
    expect(() => world.driver.connect(third)).not.toThrow();
    const resource = (world.driver.resources() as Map<string, MemoryResource>).get(instance.externalName)!;
    expect([...resource.credentials.keys()].sort()).toEqual([1, 2]);
  });

  it('a product whose driver cannot rotate says so and drops the request', async () => {
    const base = (await import('@paved/driver-memory')).createMemoryDriver();
    const driver = { ...base, rotate: undefined, revoke: undefined } as MemoryDriver;
    const { world, id, first } = await readyWorld(open, driver);
    await world.store.requestRotation(id, world.userId);
    await world.drain();
    const instance = (await world.store.getInstance(id))!;
    expect(instance.credentials).toEqual({ rotation: 0, rotating: false });
    expect(instance.status.conditions.find((c) => c.type === 'Synced')).toMatchObject({ status: 'False', reason: 'RotationUnsupported' });
    expect(() => world.driver.connect(first)).not.toThrow();
  });

  it('deletion after a rotation removes the resource and every secret', async () => {
    const { world, id } = await readyWorld(open);
    await world.store.requestRotation(id, world.userId);
    await world.drain();
    await world.store.requestDeletion(id, world.userId);
    await world.drain();
    expect(await world.store.getInstance(id)).toBeUndefined();
    expect(world.driver.resources().size).toBe(0);
    expect(await world.secrets.get(id, generatedSecretsName(1))).toBeUndefined();
  });
});
