import { describe, expect, it } from 'vitest';
import { createStore } from './create-store.js';
import { createTempPostgresDatabase, postgresUnavailableReason } from './testing.js';

const problem = await postgresUnavailableReason();
if (problem && process.env.CI !== 'true') console.warn(`Skipping concurrent-migration test: ${problem}.`);

describe.skipIf(problem !== undefined && process.env.CI !== 'true')('store: migrations on PostgreSQL', () => {
  it('lets several processes migrate a fresh database at once', async () => {
    if (problem) throw new Error(`${problem}; CI=true requires it.`);
    const database = await createTempPostgresDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => createStore({ url: database.url })));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const tables = await stores[0]!.listUsers();
      expect(tables).toEqual([]);
      await stores[1]!.migrate();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await database.drop();
    }
  });
});

describe('store: migrations on SQLite', () => {
  it('creates the schema in a new file folder and is idempotent', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'paved-migrate-'));
    const store = await createStore({ url: join(dir, 'nested', 'paved.db') });
    try {
      await store.migrate();
      await store.migrate();
      expect(await store.countInstances({})).toBe(0);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
