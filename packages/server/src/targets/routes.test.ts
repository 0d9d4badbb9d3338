import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Driver, PreflightResult } from '@paved/driver-api';
import { createMemoryDriver } from '@paved/driver-memory';
import { createRedisDriver } from '@paved/driver-redis';
import { createStore } from '@paved/store';
import { startHarness, type Caller, type Harness } from '../test-harness.js';
import { DefaultTargetService, secretsOf } from './service.js';

/**
 * GET /api/v1/admin/targets through the real route over a real store, with the memory driver
 * (always reachable) and the real redis driver pointed at a port nothing listens on.
 */

const PASSWORD = 'Tr0ub4dor-and-3';
const UNREACHABLE = `redis://paved-admin:${PASSWORD}@127.0.0.1:1`;

describe('GET /api/v1/admin/targets', () => {
  let h: Harness;
  let developer: Caller;
  const redis = createRedisDriver();

  beforeAll(async () => {
    const store = await createStore({ url: ':memory:' });
    await store.migrate();
    h = await startHarness(store, {
      targets: [
        { name: 'mem', driver: 'memory', labels: { tier: 'shared' }, config: {} },
        { name: 'cache-down', driver: 'redis', labels: { env: 'dev' }, config: { url: UNREACHABLE }, concurrency: 2 },
      ],
      drivers: { memory: createMemoryDriver(), redis },
    });
    developer = await h.user('dev');
  });
  afterAll(async () => {
    await redis.close?.();
    await h.close();
  });

  it('lists every target with its health: a reachable one ok, an unreachable one with its problem, never its config or password', async () => {
    const res = await h.call(h.admin, 'GET', '/api/v1/admin/targets');
    expect(res.statusCode).toBe(200);
    const { items } = res.json() as { items: { name: string; driver: string; labels: Record<string, string>; concurrency?: number; health: PreflightResult }[] };
    expect(items.map((t) => [t.name, t.driver, t.labels, t.concurrency])).toEqual([['mem', 'memory', { tier: 'shared' }, undefined], ['cache-down', 'redis', { env: 'dev' }, 2]]);
    expect(items[0]!.health).toEqual({ ok: true, problems: [], version: 'memory' });
    const down = items[1]!.health;
    expect(down.ok).toBe(false);
    expect(down.problems).toHaveLength(1);
    expect(down.problems[0]).toMatch(/cannot connect to Redis as paved-admin@127\.0\.0\.1:1/);
    expect(res.body).not.toContain(PASSWORD);
    expect(res.body).not.toContain('redis://');
    expect(res.body).not.toContain('"config"');
  });

  it('refuses everyone but platform admins', async () => {
    const res = await h.call(developer, 'GET', '/api/v1/admin/targets');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'admin_required' });
    expect((await h.call(undefined, 'GET', '/api/v1/admin/targets')).statusCode).toBe(401);
  });
});

describe('DefaultTargetService', () => {
  const principal = {} as never;
  const driver = (preflight: Driver['preflight']) => ({ ...createMemoryDriver(), preflight });

  it('answers for a target whose preflight never settles, as not ok', async () => {
    const service = new DefaultTargetService({
      targets: [{ name: 'hangs', driver: 'stuck', labels: {}, config: {} }, { name: 'mem', driver: 'memory', labels: {}, config: {} }],
      drivers: { stuck: driver(() => new Promise<PreflightResult>(() => {})), memory: createMemoryDriver() },
      timeoutMs: 20,
    });
    const [hangs, mem] = await service.list(principal);
    expect(hangs!.health).toEqual({ ok: false, problems: [expect.stringMatching(/^no answer within 0.02 s/)] });
    expect(mem!.health.ok).toBe(true);
  });

  it("redacts the config's passwords from whatever a driver says, and names a driver that is missing", async () => {
    const service = new DefaultTargetService({
      targets: [
        { name: 'leaky', driver: 'leaky', labels: {}, config: { url: 'postgres://admin:p%40ss@db:5432/postgres', apiToken: 'tok-123456' } },
        { name: 'orphan', driver: 'nope', labels: {}, config: {} },
        { name: 'throws', driver: 'throws', labels: {}, config: {} },
      ],
      drivers: {
        leaky: driver(async () => ({ ok: false, problems: ['login p@ss and p%40ss refused'], warnings: ['token tok-123456 expires'] })),
        throws: driver(async () => { throw new Error('boom\nsecond line'); }),
      },
    });
    const [leaky, orphan, throws] = await service.list(principal);
    expect(leaky!.health).toEqual({ ok: false, problems: ['login [redacted] and [redacted] refused'], warnings: ['token [redacted] expires'] });
    expect(orphan!.health).toEqual({ ok: false, problems: ['no driver "nope" runs on this platform; check the target\'s driver in the targets file (PAVED_TARGETS_FILE)'] });
    expect(throws!.health).toEqual({ ok: false, problems: ['boom'] });
  });

  it('finds URL passwords and values under secret-like keys, nowhere else', () => {
    expect(secretsOf({ url: 'redis://u:pw@h:1', nested: [{ password: 'x1' }], keyPrefix: 'paved' }).sort()).toEqual(['pw', 'pw', 'x1']);
  });
});
