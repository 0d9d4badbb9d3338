/**
 * Faults in a scaled-out Paved: two API and three worker processes on one PostgreSQL store,
 * provisioning on a redis-server the test owns.
 *
 * - A worker SIGKILLed in the middle of 300 provisions: its claims are taken over by the others
 *   once their lease lapses (never before, and within seconds after), every instance is
 *   provisioned exactly once (one ACL user each on the target, one `instance.ready` each) and Ready.
 * - 500 concurrent creates over both APIs, a tenth of them on names already asked for: exactly
 *   one instance per name, 409 for every other request, never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import {
  apiAs, freePort, pavedOk, requireMachinePostgres, startServer, tempDatabase, tempDir, waitFor, type ServerProcess,
} from './harness.js';
import { ownRedis, type OwnRedis } from './own-redis.js';

const LEASE_MS = 4_000;
/** How long after a dead worker's lease lapses another worker may take a claim over (docs/operations.md). */
const TAKEOVER_SLACK_MS = 10_000;
const suffix = Math.random().toString(16).slice(2, 8);
const killTeam = `kill-${suffix}`;
const raceTeam = `race-${suffix}`;

describe('faults with 2 APIs and 3 workers on one PostgreSQL store', () => {
  let available = false;
  const dir = tempDir('workers');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  let redis: OwnRedis | undefined;
  let store: { url: string; drop(): Promise<void> } | undefined;
  let db: pg.Client | undefined;
  let env: NodeJS.ProcessEnv = {};
  const apis: ServerProcess[] = [];
  const workers: ServerProcess[] = [];
  let token = '';
  const api = () => apiAs(token);

  beforeAll(async () => {
    available = await requireMachinePostgres();
    if (!available) return;
    redis = await ownRedis(dir);
    store = await tempDatabase('workers');
    db = new pg.Client({ connectionString: store.url });
    await db.connect();
    writeFileSync(join(dir, 'targets.yaml'), stringify({ apiVersion: 'paved.dev/v1alpha1', kind: 'Target', metadata: { name: 'cache' }, spec: { driver: 'redis', config: { url: redis.url } } }));
    env = {
      ...admin,
      PAVED_DATA_DIR: join(dir, 'data'),
      PAVED_DATABASE_URL: store.url,
      PAVED_TARGETS_FILE: join(dir, 'targets.yaml'),
      PAVED_EMBEDDED_POSTGRES: 'off',
      // Every process must share the master key to read each other's secrets.
      PAVED_MASTER_KEY: randomBytes(32).toString('base64'),
      PAVED_LEASE: `${LEASE_MS}ms`,
      PAVED_LOG_LEVEL: 'info',
    };
    const bootPort = await freePort();
    const boot = await startServer(['up'], { ...env, PAVED_PORT: String(bootPort) }, { port: bootPort });
    token = JSON.parse(readFileSync(admin.PAVED_CLI_CONFIG, 'utf8')).token;
    const product = parse(readFileSync(new URL('../products/redis.yaml', import.meta.url), 'utf8'));
    product.metadata.name = 'redis-many';
    delete product.spec.docs;
    // The shared plan only (key prefixes on the test's server), as the default, with room for every instance.
    product.spec.plans = { small: { ...product.spec.plans.small, default: true, quota: { perTeam: 1000 } } };
    writeFileSync(join(dir, 'redis-many.yaml'), stringify(product));
    await pavedOk(['apply', '-f', join(dir, 'redis-many.yaml')], admin);
    for (const team of [killTeam, raceTeam]) await pavedOk(['teams', 'create', team], admin);
    await boot.stop();

    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      apis.push(await startServer(['server', '--role', 'api', '--port', String(port)], env, { port }));
    }
    for (let i = 0; i < 3; i++) workers.push(await startServer(['server', '--role', 'worker'], env, { worker: true }));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((p) => p.stop()));
    await db?.end();
    await store?.drop();
    await redis?.stop();
  });

  /** Live leases per worker process id, read from the store. */
  const leases = async () => {
    const { rows } = await db!.query<{ id: string; owner: string; expires: string }>(
      'SELECT id, lease_owner AS owner, lease_expires_at AS expires FROM instances WHERE lease_owner IS NOT NULL AND lease_expires_at > $1',
      [Date.now()],
    );
    return rows.map((row) => ({ id: row.id, pid: Number(row.owner.split(':').at(-2)), expires: Number(row.expires) }));
  };

  it('takes over a SIGKILLed worker\'s claims after its lease, and provisions each of 300 instances exactly once', async (ctx) => {
    if (!available) return ctx.skip();
    const team = killTeam;
    const names = Array.from({ length: 300 }, (_, i) => `c-${i}`);
    // Requests keep coming while the workers provision; the kill lands in the middle of it.
    const creating = (async () => {
      for (let i = 0; i < names.length; i += 20) {
        await Promise.all(names.slice(i, i + 20).map((name, j) => api().call(apis[(i + j) % 2]!.url, 'POST', `/teams/${team}/instances`, { name, product: 'redis-many' })));
      }
    })();
    creating.catch(() => {}); // awaited below; a failure is reported there
    const pids = workers.map((w) => w.child.pid!);
    const victimPid = await waitFor('a worker holding claims mid-way', async () => {
      const live = await leases();
      return pids.find((p) => live.filter((l) => l.pid === p).length >= 2) ?? false;
    }, 240_000);
    const victim = workers.find((w) => w.child.pid === victimPid)!;
    await victim.kill();
    const killedAt = Date.now();
    // What it held when it died, with the expiry of its last renewal.
    const claims = (await db!.query<{ id: string; expires: string }>('SELECT id, lease_expires_at AS expires FROM instances WHERE lease_owner LIKE $1', [`%:${victimPid}:%`]))
      .rows.map((row) => ({ id: row.id, expires: Number(row.expires) }));
    expect(claims.length).toBeGreaterThan(0);
    expect(Math.max(...claims.map((c) => c.expires))).toBeLessThanOrEqual(killedAt + LEASE_MS);
    const held = { pid: victimPid, claims };

    // Each claim passes to a live worker once its lease has lapsed, and soon after.
    const takenOver = new Map<string, number>();
    await waitFor('every claim of the killed worker taken over', async () => {
      const { rows } = await db!.query<{ id: string; owner: string | null }>('SELECT id, lease_owner AS owner FROM instances WHERE id = ANY($1)', [held.claims.map((c) => c.id)]);
      const now = Date.now();
      for (const row of rows) if (!takenOver.has(row.id) && !(row.owner ?? '').includes(`:${held.pid}:`)) takenOver.set(row.id, now);
      return takenOver.size === held.claims.length;
    }, LEASE_MS + TAKEOVER_SLACK_MS + 30_000);
    for (const claim of held.claims) {
      const at = takenOver.get(claim.id)!;
      expect(at, `taken over before its lease lapsed`).toBeGreaterThanOrEqual(claim.expires);
      // The live workers' claim loop looks at least every second; a slow machine adds to that.
      expect(at - claim.expires, `taken over ${at - claim.expires} ms after the lease lapsed`).toBeLessThan(TAKEOVER_SLACK_MS);
    }
    const lag = held.claims.map((c) => takenOver.get(c.id)! - c.expires);
    console.log(`killed worker ${held.pid} held ${held.claims.length} claims; all taken over ${Math.max(...takenOver.values()) - killedAt} ms after the kill, ${Math.min(...lag)}–${Math.max(...lag)} ms after each lease lapsed (lease ${LEASE_MS} ms)`);

    await creating;
    await waitFor('all 300 Ready', async () => {
      const items = await api().listAll(apis[0]!.url, `/teams/${team}/instances`);
      const failed = items.filter((i) => i.status.phase === 'Failed');
      if (failed.length > 0) throw new Error(`failed: ${JSON.stringify(failed[0].status)}`);
      return items.length === 300 && items.every((i) => i.status.phase === 'Ready');
    }, 240_000);
    const instances = await api().listAll(apis[1]!.url, `/teams/${team}/instances`);
    const ready = (await api().listAll(apis[1]!.url, `/teams/${team}/events`)).filter((e) => e.kind === 'instance.ready');
    expect(ready).toHaveLength(300);
    expect(new Set(ready.map((e) => e.instanceId)).size).toBe(300);
    const prefix = `pv_${team.replace(/-/g, '_')}_`;
    expect((await redis!.users()).filter((u) => u.startsWith(prefix)).sort()).toEqual(instances.map((i) => i.externalName).sort());
  }, 600_000);

  it('answers 500 concurrent creates over both APIs with one instance per name and 409 for the rest, never a 5xx', async (ctx) => {
    if (!available) return ctx.skip();
    const team = raceTeam;
    // 450 distinct names; 50 of them asked for twice, by requests to different APIs.
    const unique = Array.from({ length: 450 }, (_, i) => `r-${i}`);
    const requests = [...unique, ...unique.slice(0, 50)];
    const statuses = await Promise.all(requests.map(async (name, i) => {
      const response = await fetch(`${apis[i % 2]!.url}/api/v1/teams/${team}/instances`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, product: 'redis-many' }),
      });
      const body = await response.json() as { code?: string };
      return { name, status: response.status, code: body.code };
    }));
    expect(statuses.filter((s) => s.status >= 500)).toEqual([]);
    const byName = new Map<string, number[]>();
    for (const s of statuses) byName.set(s.name, [...(byName.get(s.name) ?? []), s.status]);
    for (const [name, codes] of byName) {
      expect(codes.filter((c) => c === 202), name).toHaveLength(1);
      expect(codes.filter((c) => c !== 202), name).toEqual(Array(codes.length - 1).fill(409));
    }
    expect(new Set(statuses.filter((s) => s.status === 409).map((s) => s.code))).toEqual(new Set(['instance_exists']));
    const listed = await api().listAll(apis[0]!.url, `/teams/${team}/instances`);
    expect(listed.map((i) => i.name).sort()).toEqual([...unique].sort());
  }, 300_000);
});
