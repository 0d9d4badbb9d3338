/**
 * Scale-out: two API processes and two worker processes on one PostgreSQL store; 200
 * instances requested across both APIs must each be provisioned exactly once (one
 * `instance.ready` event and one database per instance), then all deleted cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  dropWithPrefix, freePort, MACHINE_PG, MACHINE_PG_TARGET, pavedOk, requireMachinePostgres, resourcesWithPrefix, startServer, tempDatabase, tempDir,
  waitFor, type ServerProcess,
} from './harness.js';

const COUNT = 200;
const suffix = Math.random().toString(16).slice(2, 8);
const team = `scale-${suffix}`;
const prefix = `pv_${team.replace(/-/g, '_')}_`;

describe('scale-out: 2 APIs + 2 workers on one PostgreSQL store', () => {
  let available = false;
  const processes: ServerProcess[] = [];
  let dropStore: (() => Promise<void>) | undefined;
  const dir = tempDir('scale');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  let token = '';
  let apis: string[] = [];

  const api = async (base: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const listAll = async (path: string) => {
    const items: any[] = [];
    let cursor: string | undefined;
    do {
      const page = await api(apis[0]!, 'GET', `${path}?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  };

  beforeAll(async () => {
    available = await requireMachinePostgres();
    if (!available) return;
    const db = await tempDatabase('scale');
    dropStore = db.drop;
    const env: NodeJS.ProcessEnv = {
      ...admin,
      PAVED_DATA_DIR: join(dir, 'data'),
      PAVED_DATABASE_URL: db.url,
      ...MACHINE_PG_TARGET,
      // Every process must share the master key to read each other's secrets.
      PAVED_MASTER_KEY: randomBytes(32).toString('base64'),
      PAVED_LOG_LEVEL: 'info',
    };
    // Bootstrap once (admin, platform team, built-in products), then the scaled-out set.
    const bootPort = await freePort();
    const boot = await startServer(['up'], { ...env, PAVED_PORT: String(bootPort) }, { port: bootPort });
    token = JSON.parse(readFileSync(admin.PAVED_CLI_CONFIG, 'utf8')).token;
    const product = parse(readFileSync(new URL('../products/postgres.yaml', import.meta.url), 'utf8'));
    product.metadata.name = 'postgres-scale';
    for (const plan of Object.values(product.spec.plans) as { quota?: { perTeam: number } }[]) plan.quota = { perTeam: 1000 };
    writeFileSync(join(dir, 'postgres-scale.yaml'), stringify(product));
    await pavedOk(['apply', '-f', join(dir, 'postgres-scale.yaml')], admin);
    await pavedOk(['teams', 'create', team], admin);
    await boot.stop();

    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      processes.push(await startServer(['server', '--role', 'api', '--port', String(port)], env, { port }));
      apis.push(`http://127.0.0.1:${port}`);
    }
    for (let i = 0; i < 2; i++) processes.push(await startServer(['server', '--role', 'worker'], env));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await dropStore?.();
    if (available) await dropWithPrefix(prefix);
  });

  it(`provisions ${COUNT} instances exactly once`, async (ctx) => {
    if (!available) return ctx.skip();
    const names = Array.from({ length: COUNT }, (_, i) => `db-${i}`);
    // Requests alternate between the two APIs, 16 in flight at a time.
    for (let i = 0; i < names.length; i += 16) {
      await Promise.all(
        names.slice(i, i + 16).map((name, j) => api(apis[(i + j) % 2]!, 'POST', `/teams/${team}/instances`, { name, product: 'postgres-scale' })),
      );
    }
    await waitFor(
      'all instances Ready',
      async () => {
        const items = await listAll(`/teams/${team}/instances`);
        const failed = items.filter((i) => i.status.phase === 'Failed');
        if (failed.length > 0) throw new Error(`failed: ${JSON.stringify(failed[0].status)}`);
        return items.length === COUNT && items.every((i) => i.status.phase === 'Ready');
      },
      240_000,
    );
    const instances = await listAll(`/teams/${team}/instances`);
    const ready = (await listAll(`/teams/${team}/events`)).filter((e) => e.kind === 'instance.ready');
    expect(ready).toHaveLength(COUNT);
    expect(new Set(ready.map((e) => e.instanceId)).size).toBe(COUNT);
    const external = instances.map((i) => i.externalName).sort();
    const onServer = await resourcesWithPrefix(prefix);
    expect(onServer.databases).toEqual(external);
    expect(onServer.roles).toEqual(external);

    for (let i = 0; i < names.length; i += 16) {
      await Promise.all(names.slice(i, i + 16).map((name, j) => api(apis[(i + j) % 2]!, 'DELETE', `/teams/${team}/instances/${name}`)));
    }
    await waitFor('all instances deleted', async () => (await listAll(`/teams/${team}/instances`)).length === 0, 240_000);
    expect(await resourcesWithPrefix(prefix)).toEqual({ databases: [], roles: [] });
  }, 600_000);
});
