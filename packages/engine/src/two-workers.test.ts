import { randomBytes } from 'node:crypto';
import type { ApplyResult, DriverContext } from '@paved/driver-api';
import { createMemoryDriver } from '@paved/driver-memory';
import { createStore, type Store } from '@paved/store';
import { createTempPostgresDatabase, postgresUnavailableReason } from '@paved/store/testing';
import { describe, expect, it } from 'vitest';
import { makeWorld, secretStoreFor } from './test-harness.js';

const problem = await postgresUnavailableReason();
if (problem !== undefined && process.env.CI !== 'true') console.warn(`Skipping the two-worker engine test: ${problem}.`);

/**
 * Two workers, each with its own connection pool to one PostgreSQL database (as two processes
 * would have), share 200 instances. Every resource must be created exactly once: the lease and
 * FOR UPDATE SKIP LOCKED keep the workers off each other's instances. Both stores and engines
 * share the world's clock, which never moves here: leases cannot lapse however slow the
 * machine, and the loops wake only on change notifications (PostgreSQL's LISTEN/NOTIFY).
 */

/** Resolves once `count` instances are Ready, reading each one as its change is announced (no polling). */
function allReady(store: Store, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ready = new Set<string>();
    const unsubscribe = store.onInstanceChange(({ instanceId }) => {
      store.getInstance(instanceId).then((instance) => {
        if (instance?.status.phase === 'Ready') ready.add(instanceId);
        if (ready.size < count) return;
        unsubscribe();
        resolve();
      }, (error: unknown) => {
        unsubscribe();
        reject(error);
      });
    });
  });
}

describe.skipIf(problem !== undefined && process.env.CI !== 'true')('two engines on one PostgreSQL store', () => {
  // Nothing here waits on a timer; the bound only stops a hang, so it allows for a loaded machine.
  it('creates each of 200 instances exactly once', { timeout: 120_000 }, async () => {
    if (problem !== undefined) throw new Error(`${problem}; CI=true requires it.`);
    const database = await createTempPostgresDatabase('paved_engine');
    const stores: Store[] = [];
    try {
      const open = async (options = {}) => {
        const store = await createStore({ ...options, url: database.url });
        stores.push(store);
        await store.migrate();
        return store;
      };

      const key = randomBytes(32);
      const memory = createMemoryDriver();
      const creates = new Map<string, number>();
      const counting = {
        ...memory,
        create(ctx: DriverContext): Promise<ApplyResult> {
          creates.set(ctx.instance.externalName, (creates.get(ctx.instance.externalName) ?? 0) + 1);
          return memory.create(ctx);
        },
      };
      const world = await makeWorld(open, { driver: memory, masterKey: key });
      const a = world.store;
      const b = await open({ now: world.clock.now });
      // 16 slots: with a backlog each loop claims in batches of two free slots (engine.ts), and
      // with the clock frozen only finishing passes end that wait.
      const common = { drivers: { memory: counting }, concurrency: 16 };
      const engines = [
        world.engine({ ...common, workerId: 'worker-a' }),
        world.engine({ ...common, store: b, secrets: secretStoreFor(b, key), workerId: 'worker-b' }),
      ];
      const done = allReady(a, 200);
      engines.forEach((engine) => engine.start());
      try {
        for (let i = 0; i < 200; i += 20) {
          await Promise.all(Array.from({ length: 20 }, (_, j) => world.request(`db-${i + j}`)));
        }
        await done;
      } finally {
        await Promise.all(engines.map((engine) => engine.stop()));
      }
      expect(creates.size).toBe(200);
      expect([...creates.values()].every((count) => count === 1)).toBe(true);
      expect(memory.resources().size).toBe(200);
      expect(memory.calls().update).toBe(0);
      const claimedBy = await a.listEvents({ kinds: ['instance.ready'], limit: 500 });
      expect(claimedBy.items).toHaveLength(200);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await database.drop();
    }
  });
});
