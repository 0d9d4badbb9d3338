import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DialectAdapter } from './dialect/adapter.js';
import { createPostgresAdapter } from './dialect/postgres.js';
import { createSqliteAdapter } from './dialect/sqlite.js';
import { runMigrations } from './migrations.js';
import { createTempPostgresDatabase, postgresUnavailableReason } from './testing.js';

/**
 * Migration 0027 (docs/metrics/dora.md "Whose records a team's calls touch"): which team each
 * API record kept before it was recorded by, where that can be told, on both dialects. Nothing
 * else of a record changes.
 */

const at = '2025-01-06T10:00:00.000Z';
const problem = await postgresUnavailableReason();
if (problem && process.env.CI !== 'true') console.warn(`Skipping 0027's PostgreSQL test: ${problem}.`);

/** A store as 0026 left it: API records under four repositories, and a webhook's. */
async function seed(adapter: DialectAdapter): Promise<void> {
  const db = adapter.db;
  await db.insertInto('teams').values([
    { id: 't-pay', name: 'payments', title: 'Payments', created_at: at },
    { id: 't-ops', name: 'ops', title: 'Ops', created_at: at },
    { id: 't-web', name: 'web', title: 'Web', created_at: at },
  ] as never).execute();
  const service = (id: string, team: string, name: string, url: string | null) =>
    ({ id, team_id: team, name, description: '', repository_url: url, lifecycle: 'production', created_at: at, updated_at: at });
  await db.insertInto('services').values([
    // Two services of one team claim acme/payments (spelled two ways): its records are that team's.
    service('s1', 't-pay', 'api', 'https://github.com/acme/payments'),
    service('s2', 't-pay', 'worker', 'git@github.com:Acme/Payments.git'),
    // A monorepo of two teams: who recorded what there is not known.
    service('s3', 't-ops', 'tools', 'https://github.com/acme/mono'),
    service('s4', 't-web', 'site', 'https://github.com/acme/mono/tree/main'),
    service('s5', 't-pay', 'cart', null),
  ] as never).execute();
  await db.insertInto('delivery_repositories').values([
    { id: 1, host: 'paved', path: 'payments/cart', name: 'payments/cart', default_branch: null, created_at: at },
    { id: 2, host: 'github.com', path: 'acme/payments', name: 'https://github.com/acme/payments', default_branch: null, created_at: at },
    { id: 3, host: 'github.com', path: 'acme/mono', name: 'https://github.com/acme/mono', default_branch: null, created_at: at },
    { id: 4, host: 'github.com', path: 'acme/gone', name: 'https://github.com/acme/gone', default_branch: null, created_at: at },
  ] as never).execute();
  await db.insertInto('delivery_environments').values({ id: 1, name: 'production', production: 1 } as never).execute();
  const deployment = (id: number, repo: number, source: string, external: string) => ({
    id, repo_id: repo, source, external_id: external, environment_id: 1, status: 'success', status_ms: 1, status_seq: 0,
    success_ms: 1, result: 'success', finished_ms: 1, shipped_ms: 1,
  });
  await db.insertInto('delivery_deployments').values([
    deployment(1, 1, 'api', 'D-1'), deployment(2, 2, 'api', 'D-1'), deployment(3, 3, 'api', 'D-1'), deployment(4, 4, 'api', 'D-1'),
    deployment(5, 2, 'github', '501'),
  ] as never).execute();
  await db.insertInto('delivery_changes').values([1, 2, 3].map((repo) => ({
    id: repo, repo_id: repo, source: 'api', external_id: 'C-1', state: 'merged', merged_ms: 1, first_commit_given: 0, updated_ms: 1, deployment_id: repo, deployment_ref: 'D-1',
  })) as never).execute();
  await db.insertInto('delivery_issues').values([2, 3].map((repo) => ({
    id: repo, repo_id: repo, source: 'api', external_id: 'INC-1', labels: '[]', incident: 1, state: 'open', created_ms: 1, updated_ms: 1,
  })) as never).execute();
}

async function owners(adapter: DialectAdapter, table: 'delivery_deployments' | 'delivery_changes' | 'delivery_issues') {
  const rows = await adapter.db.selectFrom(table).select(['id', 'recorded_by']).orderBy('id').execute();
  return rows.map((r) => [Number(r.id), r.recorded_by]);
}

async function migratesOwners(adapter: DialectAdapter): Promise<void> {
  await runMigrations(adapter, '0026_instances_fewer_index_writes');
  await seed(adapter);
  await runMigrations(adapter);
  // The team its path names (1); the one team claiming it (2); not known (3: two teams; 4: none); a webhook's (5).
  expect(await owners(adapter, 'delivery_deployments')).toEqual([[1, 't-pay'], [2, 't-pay'], [3, null], [4, null], [5, null]]);
  expect(await owners(adapter, 'delivery_changes')).toEqual([[1, 't-pay'], [2, 't-pay'], [3, null]]);
  expect(await owners(adapter, 'delivery_issues')).toEqual([[2, 't-pay'], [3, null]]);
  // Nothing else changed: links and counts stay.
  const links = await adapter.db.selectFrom('delivery_changes').select(['id', 'deployment_id']).orderBy('id').execute();
  expect(links.map((l) => [Number(l.id), Number(l.deployment_id)])).toEqual([[1, 1], [2, 2], [3, 3]]);
}

describe('store: data migrations', () => {
  it('0027_delivery_recorded_by: API records belong to the team that can be told recorded them (SQLite)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paved-migrate-'));
    const adapter = createSqliteAdapter(join(dir, 'paved.db'));
    try {
      await migratesOwners(adapter);
    } finally {
      await adapter.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(problem !== undefined && process.env.CI !== 'true')('0027_delivery_recorded_by: the same on PostgreSQL', async () => {
    if (problem) throw new Error(`${problem}; CI=true requires it.`);
    const database = await createTempPostgresDatabase();
    const adapter = createPostgresAdapter(database.url);
    try {
      await migratesOwners(adapter);
    } finally {
      await adapter.close();
      await database.drop();
    }
  });
});
