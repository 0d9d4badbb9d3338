import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createStore } from './create-store.js';
import { createTempPostgresDatabase, postgresUnavailableReason } from './testing.js';

// Migration 0026: the indexes of instances a pass's Ready update (never heap-only: it moves
// due_at) has to write are fewer, and the reads that used the dropped or narrowed ones still
// find an index: parts by parent, instances of a service, and the quota's count.
const PARTS = 'select id from instances where parent_id = $1 order by seq';
const HAS_PARTS = 'select i.id, exists(select part.id from instances part where part.parent_id = i.id) from instances i where i.team_id = $1 and i.name = $2';
const OF_SERVICE = 'select count(*) from instances where service_id = $1';
const QUOTA = 'select count(*) from instances where team_id = $1 and product = $2 and plan = $3';

const problem = await postgresUnavailableReason();
if (problem && process.env.CI !== 'true') console.warn(`Skipping the PostgreSQL indexes test: ${problem}.`);

describe.skipIf(problem !== undefined && process.env.CI !== 'true')('store: the indexes of instances on PostgreSQL', () => {
  it('keeps top-level instances without a service out of the partial indexes, and the reads on indexes', async () => {
    if (problem) throw new Error(`${problem}; CI=true requires it.`);
    const database = await createTempPostgresDatabase();
    const store = await createStore({ url: database.url });
    const client = new pg.Client({ connectionString: database.url });
    try {
      await store.migrate();
      await client.connect();
      const indexes = (await client.query(`select indexname, indexdef from pg_indexes where tablename = 'instances'`)).rows as Array<{ indexname: string; indexdef: string }>;
      const byName = new Map(indexes.map((row) => [row.indexname, row.indexdef]));
      expect([...byName.keys()].sort()).toEqual([
        'instances_due', 'instances_live_by_product', 'instances_parent', 'instances_pkey', 'instances_seq',
        'instances_team_name', 'instances_team_page', 'instances_team_product_page', 'instances_workload',
      ]);
      expect(byName.get('instances_parent')).toMatch(/WHERE \(parent_id IS NOT NULL\)$/);
      expect(byName.get('instances_workload')).toMatch(/WHERE \(service_id IS NOT NULL\)$/);
      expect(byName.get('instances_team_product_page')).toMatch(/\(team_id, product, seq, plan\)$/);
      // The statements as the store prepares them (a generic plan, parameters unknown), with
      // sequential scans priced out: each must be able to use the index meant for it, which for
      // a partial index means the planner proved `column = $1` implies its predicate.
      await client.query('set plan_cache_mode = force_generic_plan');
      await client.query('set enable_seqscan = off');
      const planOf = async (statement: string, params: unknown[]) => {
        const name = `q${Math.random().toString(36).slice(2)}`;
        await client.query(`prepare ${name} as ${statement}`);
        const rows = (await client.query(`explain execute ${name}(${params.map((p) => `'${String(p)}'`).join(', ')})`)).rows as Array<{ 'QUERY PLAN': string }>;
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      };
      expect(await planOf(PARTS, ['p'])).toMatch(/Index (Only )?Scan using instances_parent/);
      expect(await planOf(HAS_PARTS, ['t', 'n'])).toMatch(/Index (Only )?Scan using instances_parent on instances part/);
      expect(await planOf(OF_SERVICE, ['s'])).toMatch(/Index (Only )?Scan using instances_workload/);
      expect(await planOf(QUOTA, ['t', 'p', 'small'])).toMatch(/Index Only Scan using instances_team_product_page/);
    } finally {
      await client.end().catch(() => undefined);
      await store.close();
      await database.drop();
    }
  });
});

describe('store: the indexes of instances on SQLite', () => {
  it('answers parts, a service\'s instances and the quota from an index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paved-indexes-'));
    const file = join(dir, 'paved.db');
    const store = await createStore({ url: file });
    try {
      await store.migrate();
      const db = new BetterSqlite3(file, { readonly: true });
      try {
        // A literal for each parameter: without ANALYZE's statistics SQLite picks the index from the shape alone.
        const planOf = (statement: string) => (db.prepare(`explain query plan ${statement.replace(/\$\d/g, "'x'")}`).all() as Array<{ detail: string }>).map((row) => row.detail).join('\n');
        expect(planOf(PARTS)).toMatch(/USING INDEX instances_parent \(parent_id=\?\)/);
        expect(planOf(HAS_PARTS)).toMatch(/SEARCH part USING (COVERING )?INDEX instances_parent \(parent_id=\?\)/);
        expect(planOf(OF_SERVICE)).toMatch(/USING COVERING INDEX instances_workload \(service_id=\?\)/);
        expect(planOf(QUOTA)).toMatch(/USING COVERING INDEX instances_team_product_page \(team_id=\? AND product=\?\)/);
        const names = (db.prepare(`select name from sqlite_master where type = 'index' and tbl_name = 'instances' and name not like 'sqlite_autoindex%'`).all() as Array<{ name: string }>).map((row) => row.name).sort();
        expect(names).not.toContain('instances_listing');
        expect(names).not.toContain('instances_quota');
      } finally {
        db.close();
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
