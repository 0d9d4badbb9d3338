import type { DriverContext } from '@paved/driver-api';
import type { MemoryResource } from '@paved/driver-memory';
import type { ClaimedInstance } from '@paved/store';
import { eachStore } from '@paved/store/testing';
import { expect, it } from 'vitest';
import { makeWorld, type World } from './test-harness.js';

/**
 * A worker that stalls past its lease while a peer takes the instance over must not write
 * its result. The stall is the world's clock moving past the lease without waking the
 * worker's timers (a frozen process), so no renewal can run before the peer claims.
 */

const LEASE_MS = 5_000;

async function kinds(world: World, instanceId: string): Promise<string[]> {
  return (await world.store.listEvents({ instanceId, limit: 100 })).items.map((event) => event.kind);
}

eachStore('engine lease', (open) => {
  const resourcesOf = (world: World) => world.driver.resources() as Map<string, MemoryResource>;

  it('drops the pass without writing when its lease was taken over mid-call', async () => {
    const world = await makeWorld(open);
    const { id } = await world.request('db');
    let thief: ClaimedInstance | undefined;
    let signal: AbortSignal | undefined;
    const stalledCreate = async (ctx: DriverContext) => {
      signal = ctx.signal;
      world.clock.stall(LEASE_MS);
      [thief] = await world.store.claimDue({ owner: 'thief', leaseMs: LEASE_MS, limit: 1 });
      // The process wakes up: its overdue renewal runs now, too late.
      world.clock.advance(0);
      return world.driver.create(ctx);
    };
    const engine = world.engine({ leaseMs: LEASE_MS, drivers: { memory: { ...world.driver, create: stalledCreate } } });
    expect(await engine.runOnce()).toBe(1);
    expect(thief).toBeDefined();
    // The engine noticed (renewal or guarded write) and aborted the driver's signal.
    expect(signal?.aborted).toBe(true);
    const instance = (await world.store.getInstance(id))!;
    // Only the intent (written before the call) is there: no Ready, no failure from the old owner.
    expect(instance.status.phase).toBe('Provisioning');
    expect(instance.status.lastError).toBeUndefined();
    expect(await kinds(world, id)).not.toContain('instance.ready');
    await world.store.releaseLease(id, thief!.leaseToken);
    await world.drain();
    expect((await world.store.getInstance(id))!.status.phase).toBe('Ready');
    expect(resourcesOf(world).size).toBe(1);
  });
});
