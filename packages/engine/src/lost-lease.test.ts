import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverContext } from '@paved/driver-api';
import type { MemoryResource } from '@paved/driver-memory';
import { createStore, type Store } from '@paved/store';
import { afterAll, describe, expect, it } from 'vitest';
import { drain, makeWorld, type World } from './test-harness.js';

/**
 * A worker that stalls past its lease while a peer takes the instance over must not write
 * its result. The stall is a busy loop in the driver call, so this runs on SQLite only: with
 * one process, the peer's claim can only land during the stall when the store is synchronous
 * (on PostgreSQL the stalled worker's overdue renewal reaches the server first, which is also
 * correct behaviour but leaves nothing to take over). The store's lease guard itself is tested
 * on both dialects by the store's own tests.
 */

const stores: Store[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function openSqlite(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'paved-engine-'));
  dirs.push(dir);
  const store = await createStore({ url: join(dir, 'paved.db') });
  stores.push(store);
  await store.migrate();
  return store;
}

async function kinds(world: World, instanceId: string): Promise<string[]> {
  return (await world.store.listEvents({ instanceId, limit: 100 })).items.map((event) => event.kind);
}

describe('engine lease', () => {
  const resourcesOf = (world: World) => world.driver.resources() as Map<string, MemoryResource>;
  it('drops the pass without writing when its lease was taken over mid-call', async () => {
    const world = await makeWorld(await openSqlite());
    const { id } = await world.request('db');
    let thief: { leaseToken: string } | undefined;
    let signal: AbortSignal | undefined;
    const slowCreate = async (ctx: DriverContext) => {
      signal = ctx.signal;
      // Block the event loop past the lease (no renewal can run), then let a peer claim it.
      const until = Date.now() + 250;
      while (Date.now() < until) { /* busy: simulates a stalled process */ }
      [thief] = await world.store.claimDue({ owner: 'thief', leaseMs: 10_000, limit: 1 });
      return world.driver.create(ctx);
    };
    const engine = world.engine({ leaseMs: 100, drivers: { memory: { ...world.driver, create: slowCreate } } });
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
    await drain(world.engine());
    expect((await world.store.getInstance(id))!.status.phase).toBe('Ready');
    expect(resourcesOf(world).size).toBe(1);
  });
});
