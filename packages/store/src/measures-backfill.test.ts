import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore } from './create-store.js';
import { createSqliteAdapter } from './dialect/sqlite.js';
import { runMigrations } from './migrations.js';

const T0 = Date.UTC(2026, 0, 5);
const iso = (ms: number) => new Date(T0 + ms).toISOString();

describe('store: data migrations', () => {
  it('0013_measures reads the requests, their outcomes, interventions and services from history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paved-migrate-'));
    const file = join(dir, 'paved.db');
    try {
      // A store as the release before the measures left it: two requests of team "web", one
      // retried by an admin from outside the team (twice within a minute), one forgotten.
      const before = createSqliteAdapter(file);
      await runMigrations(before, '0008_access');
      await before.db.insertInto('teams').values({ id: 't1', name: 'web', title: 'Web', created_at: iso(0) } as never).execute();
      await before.db.insertInto('users').values([
        { id: 'u1', name: 'dev', admin: 0, created_at: iso(0) },
        { id: 'u2', name: 'root', admin: 1, created_at: iso(0) },
      ] as never).execute();
      await before.db.insertInto('memberships').values({ team_id: 't1', user_id: 'u1', role: 'member' }).execute();
      await before.db.insertInto('services').values({
        id: 's1', team_id: 't1', name: 'shop', description: '', repository_url: null, lifecycle: 'production', system: null, created_at: iso(0), updated_at: iso(0),
      }).execute();
      const event = (seq: number, at: number, kind: string, instance: string, actor: string | null, data: object = {}) =>
        ({ id: `e${seq}`, at: iso(at), kind, team_id: 't1', instance_id: instance, actor, data: JSON.stringify(data) });
      await before.db.insertInto('events').values([
        event(1, 0, 'instance.requested', 'i1', 'dev', { name: 'db', product: 'pg', version: '1.0.0', plan: 'small' }),
        event(2, 5_000, 'instance.failed', 'i1', null),
        event(3, 60_000, 'instance.reconcile-requested', 'i1', 'root'),
        event(4, 70_000, 'instance.reconcile-requested', 'i1', 'root'),
        event(5, 90_000, 'instance.ready', 'i1', null),
        event(6, 100_000, 'instance.requested', 'i2', 'dev', { name: 'cache', product: 'redis', version: '2.0.0', plan: 'small' }),
        event(7, 101_000, 'instance.delete-requested', 'i2', 'dev'),
        event(8, 102_000, 'instance.deleted', 'i2', null),
      ] as never).execute();
      await before.close();

      const store = await createStore({ url: file });
      try {
        await store.migrate();
        const week = { since: T0, until: T0 + 7 * 86_400_000 };
        expect(await store.requestOutcomes(week)).toEqual([
          { product: 'pg', version: '1.0.0', requested: 1, ready: 0, failed: 1, abandoned: 0 },
          { product: 'redis', version: '2.0.0', requested: 1, ready: 0, failed: 0, abandoned: 1 },
        ]);
        expect(await store.timeToReady(week, 'product')).toEqual([{ product: 'pg', count: 1, p50Ms: 90_000, p95Ms: 90_000 }]);
        expect(await store.interventionCounts(week)).toEqual([{ teamName: 'web', weekStart: T0, kind: 'retry', count: 1 }]);
        expect(await store.adoptionAt([T0 + 1])).toEqual([{ at: T0 + 1, services: 1, adopted: 0 }]);
        const [retry] = (await store.listInterventions({ product: 'pg', kinds: ['retry'] })).items;
        expect(retry).toMatchObject({ instanceName: 'db', actor: 'root', at: T0 + 60_000 });
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
