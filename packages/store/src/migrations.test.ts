import { describe, expect, it } from 'vitest';
import { createStore } from './create-store.js';
import { createSqliteAdapter } from './dialect/sqlite.js';
import { runMigrations } from './migrations.js';
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

describe('store: data migrations', () => {
  it('0008_access: the owner of each published product owns it and becomes a platform team', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'paved-migrate-'));
    const file = join(dir, 'paved.db');
    const manifest = (owner: string, version: string) => JSON.stringify({ metadata: { owner }, spec: { version } });
    try {
      // A store as the release before 0008 left it: a product published by team "data".
      const before = createSqliteAdapter(file);
      await runMigrations(before, '0006_composition');
      const at = new Date().toISOString();
      await before.db.insertInto('teams').values([{ id: 't1', name: 'data', title: 'Data', created_at: at }, { id: 't2', name: 'web', title: 'Web', created_at: at }] as never).execute();
      await before.db.insertInto('product_versions').values([
        { name: 'pg', version: '1.9.0', manifest: manifest('data', '1.9.0'), digest: 'a', published_at: at },
        { name: 'pg', version: '1.10.0', manifest: manifest('data', '1.10.0'), digest: 'b', published_at: at },
      ]).execute();
      await before.close();

      const store = await createStore({ url: file });
      try {
        await store.migrate();
        expect(await store.getProductOwner('pg')).toBe('data');
        expect((await store.getTeam({ name: 'data' }))?.platform).toBe(true);
        expect((await store.getTeam({ name: 'web' }))?.platform).toBe(false);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('0016_keys: each existing secret is recorded under the key its envelope names', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'paved-migrate-'));
    const file = join(dir, 'paved.db');
    try {
      const before = createSqliteAdapter(file);
      await runMigrations(before, '0008_access');
      const at = new Date().toISOString();
      await before.db.insertInto('secrets').values([
        { owner_id: 'o1', name: 'credentials', envelope: JSON.stringify({ v: 1, kid: '1a2b3c4d' }), updated_at: at },
        { owner_id: 'o2', name: 'credentials', envelope: 'not json', updated_at: at },
      ] as never).execute();
      await before.close();

      const store = await createStore({ url: file });
      try {
        await store.migrate();
        expect((await store.getSecret('o1', 'credentials'))?.keyId).toBe('1a2b3c4d');
        expect(await store.countSecretsByKey()).toEqual({ '1a2b3c4d': 1, '': 1 });
        expect(await store.activeMasterKey()).toBeUndefined();
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
