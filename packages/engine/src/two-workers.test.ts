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
 * FOR UPDATE SKIP LOCKED keep the workers off each other's instances.
 */
describe.skipIf(problem !== undefined && process.env.CI !== 'true')('two engines on one PostgreSQL store', () => {
  it('creates each of 200 instances exactly once', async () => {
    if (problem !== undefined) throw new Error(`${problem}; CI=true requires it.`);
    const database = await createTempPostgresDatabase('paved_engine');
    const stores: Store[] = [];
    try {
      const a = await createStore({ url: database.url });
      stores.push(a);
      await a.migrate();
      const b = await createStore({ url: database.url });
      stores.push(b);

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
      const world = await makeWorld(a, { driver: memory, secrets: secretStoreFor(a, key) });
      const common = { drivers: { memory: counting }, concurrency: 8 };
      const engines = [
        world.engine({ ...common, workerId: 'worker-a' }),
        world.engine({ ...common, store: b, secrets: secretStoreFor(b, key), workerId: 'worker-b' }),
      ];
      engines.forEach((engine) => engine.start());
      try {
        for (let i = 0; i < 200; i += 20) {
          await Promise.all(Array.from({ length: 20 }, (_, j) => world.request(`db-${i + j}`)));
        }
        const deadline = Date.now() + 30_000;
        for (;;) {
          const page = await a.listInstances({ teamIds: [world.teamId], limit: 500 });
          if (page.items.length === 200 && page.items.every((instance) => instance.status.phase === 'Ready')) break;
          if (Date.now() > deadline) throw new Error('not all 200 instances became Ready');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
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
