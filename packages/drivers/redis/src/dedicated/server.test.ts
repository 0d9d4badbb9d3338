/**
 * A dedicated redis-server per instance, beyond the conformance suite: what an ordinary
 * application may do on it and what it may not, adoption by a Paved that restarted, drift
 * repair of a crashed server, rotation, the plan change it refuses, and preflight.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runDriverChecks } from '@paved/driver-api/conformance';
import type { DriverContext, RotationContext } from '@paved/driver-api';
import { createRedisDriver } from '../index.js';
import { MACHINE_URL, REDIS_SERVER, adminCall, tenant, unreachable } from '../test-support.js';
import { DEDICATED, dedicatedContext, dedicatedTarget, processesRunning, serverInventory } from './test-support.js';

const skip = existsSync(REDIS_SERVER) ? undefined : `${REDIS_SERVER} is not installed`;
const skipHere = skip !== undefined && process.env.CI !== 'true';
if (skipHere) console.warn(`skipping the dedicated redis tests: ${skip}`);

describe.skipIf(skipHere)('redis: a dedicated server per instance', () => {
  const target = dedicatedTarget();
  const driver = createRedisDriver();
  const made: DriverContext[] = [];
  const create = async (values: Record<string, unknown> = DEDICATED) => {
    const ctx = dedicatedContext(target, undefined, values);
    made.push(ctx);
    return { ctx, outputs: (await driver.create(ctx)).outputs };
  };
  const conf = (ctx: DriverContext) => join(target.dataDir, ctx.instance.externalName, 'redis.conf');
  afterAll(async () => {
    for (const ctx of made) for (const step of driver.deletion) await step.run(ctx).catch(() => {});
    await driver.close?.();
    await rm(target.dataDir, { recursive: true, force: true });
  });

  it('an ordinary application may do anything to its own data, with the plan\'s memory limit, but cannot reconfigure or leave the server', async () => {
    const { outputs } = await create();
    expect(outputs).toMatchObject({ host: '127.0.0.1', username: 'default', prefix: '' });
    const redis = await tenant(outputs);
    try {
      await redis.set('mykey', 'hello');
      expect(await redis.keys('*')).toEqual(['mykey']);
      expect(await redis.info('server')).toContain('redis_version');
      expect(await redis.call('CONFIG', 'GET', 'maxmemory')).toEqual(['maxmemory', String(16 * 1024 * 1024)]);
      expect(await redis.call('CONFIG', 'GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      await redis.flushall();
      expect(await redis.dbsize()).toBe(0);
      for (const command of [['CONFIG', 'SET', 'maxmemory', '0'], ['CONFIG', 'REWRITE'], ['ACL', 'LIST'], ['MODULE', 'LIST'], ['SHUTDOWN', 'NOSAVE'], ['REPLICAOF', '127.0.0.1', '1']]) {
        await expect(redis.call(command[0]!, ...command.slice(1)), command.join(' ')).rejects.toThrow(/NOPERM/);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('a Paved that starts again adopts the running server: observe finds it up to date, create starts no second one', async () => {
    const { ctx, outputs } = await create();
    const [pid] = await processesRunning(conf(ctx));
    expect(pid).toBeGreaterThan(0);
    const restarted = createRedisDriver();
    try {
      expect(await restarted.observe(ctx)).toMatchObject({ exists: true, upToDate: true, diff: [] });
      expect((await restarted.create(ctx)).outputs).toEqual(outputs);
      expect(await processesRunning(conf(ctx))).toEqual([pid]);
    } finally {
      await restarted.close?.();
    }
  });

  it('a crashed server is drift: update starts it again on the same port, with the data its AOF kept', async () => {
    const { ctx, outputs } = await create();
    await tenant(outputs).then(async (redis) => {
      await redis.set('kept', 'yes');
      redis.disconnect();
    });
    const [pid] = await processesRunning(conf(ctx));
    process.kill(pid!, 'SIGKILL');
    await expect.poll(() => processesRunning(conf(ctx))).toEqual([]);
    expect(await driver.observe(ctx)).toMatchObject({ exists: true, upToDate: false, diff: [`the server process is not running (port ${outputs.port})`] });
    expect((await driver.update(ctx)).outputs).toEqual(outputs);
    const [again] = await processesRunning(conf(ctx));
    expect(again).not.toBe(pid);
    const redis = await tenant(outputs);
    try {
      expect(await redis.get('kept')).toBe('yes');
    } finally {
      redis.disconnect();
    }
    await runDriverChecks(driver, { target, instance: ctx.instance, outputs });
  });

  it('reports a changed memory limit, policy or persistence, and a weakened user, and update puts them back', async () => {
    const { ctx, outputs } = await create();
    const admin = (await readFile(join(target.dataDir, ctx.instance.externalName, 'paved-admin.secret'), 'utf8')).trim();
    const redis = await tenant(outputs, { username: 'paved', password: admin });
    try {
      await redis.call('CONFIG', 'SET', 'maxmemory', '1000000000');
      await redis.call('CONFIG', 'SET', 'appendonly', 'no');
      await redis.call('ACL', 'SETUSER', 'default', '+config|set');
      expect((await driver.observe(ctx)).diff).toEqual([
        'maxmemory is "1000000000", the plan wants "16777216"',
        'appendonly is "no", the plan wants "yes"',
        'user "default" may run "config set maxmemory 0"',
      ]);
    } finally {
      redis.disconnect();
    }
    await driver.update(ctx);
    expect(await driver.observe(ctx)).toMatchObject({ upToDate: true, diff: [] });
  });

  it('persistence follows the plan: rdb snapshots, or nothing on disk; a change is applied to the running server', async () => {
    const { ctx, outputs } = await create({ ...DEDICATED, persistence: 'rdb', maxmemoryPolicy: 'allkeys-lru' });
    const settings = async () => {
      const redis = await tenant(outputs);
      try {
        const reply = (await redis.call('CONFIG', 'GET', 'save', 'appendonly', 'maxmemory-policy')) as string[];
        return Object.fromEntries(reply.flatMap((value, i) => (i % 2 === 0 ? [[value, reply[i + 1]]] : [])));
      } finally {
        redis.disconnect();
      }
    };
    expect(await settings()).toEqual({ save: '3600 1 300 100 60 10000', appendonly: 'no', 'maxmemory-policy': 'allkeys-lru' });
    expect(await driver.observe(ctx)).toMatchObject({ upToDate: true, diff: [] });
    const none = { ...ctx, instance: { ...ctx.instance, values: { ...DEDICATED, persistence: 'none', maxmemoryPolicy: 'allkeys-lru' } } };
    expect((await driver.observe(none)).diff).toEqual(['save is "3600 1 300 100 60 10000", the plan wants ""']);
    await driver.update(none);
    expect(await settings()).toEqual({ save: '', appendonly: 'no', 'maxmemory-policy': 'allkeys-lru' });
    expect(await driver.observe(none)).toMatchObject({ upToDate: true, diff: [] });
  });

  it('rotation: both passwords work in the grace period; revoke keeps the new one and closes every connection', async () => {
    const { ctx, outputs } = await create();
    const old = await tenant(outputs);
    const next: DriverContext = { ...ctx, instance: { ...ctx.instance, rotation: 1 }, secrets: { password: `${ctx.secrets.password}-next` } };
    const rotation: RotationContext = { ...next, previousSecrets: ctx.secrets, previousRotation: 0 };
    const { outputs: rotated } = await driver.rotate!(rotation);
    expect(rotated).toMatchObject({ username: 'default', port: outputs.port });
    // An update during the grace period keeps the previous password working too.
    await driver.update(next);
    expect(await driver.observe(next)).toMatchObject({ upToDate: true });
    for (const credentials of [outputs, rotated]) (await tenant(credentials)).disconnect();
    expect(await old.ping()).toBe('PONG');
    await driver.revoke!(rotation);
    await driver.revoke!(rotation);
    await expect(old.ping()).rejects.toThrow();
    old.disconnect();
    await expect(tenant(outputs)).rejects.toThrow();
    (await tenant(rotated)).disconnect();
  });

  it('refuses to move an instance between a key prefix and a dedicated server', async () => {
    const skipShared = await unreachable(MACHINE_URL);
    if (skipShared !== undefined) return;
    const both = { ...target, config: { ...target.config, url: MACHINE_URL } };
    const ctx = dedicatedContext(both, undefined, {});
    made.push({ ...ctx, instance: { ...ctx.instance, values: {} } }, ctx);
    await driver.create(ctx);
    const moved = { ...ctx, instance: { ...ctx.instance, values: DEDICATED } };
    await expect(driver.update(moved)).rejects.toMatchObject({ code: 'plan_change_unsupported', retryable: false });
    expect(await serverInventory(target.dataDir, ctx.instance.externalName)).toEqual([]);
    // The refused plan is recorded all the same: deleting the instance as it now reads still
    // removes the prefix user its old plan made.
    for (const step of driver.deletion) await step.run(moved);
    expect(await adminCall(MACHINE_URL, 'ACL', 'GETUSER', ctx.instance.externalName)).toBeNull();
  });

  it('preflight checks the executable, the data folder and the bind address, and rejects a bad config naming the field', async () => {
    expect(await driver.preflight(target)).toMatchObject({ ok: true, problems: [], version: expect.stringMatching(/^Redis 7\./) });
    const servers = target.config.servers as Record<string, unknown>;
    const bad = (change: Record<string, unknown>) => driver.preflight({ ...target, config: { servers: { ...servers, ...change } } });
    expect((await bad({ redisServer: '/nonexistent/redis-server' })).problems).toEqual([expect.stringMatching(/^cannot run \/nonexistent\/redis-server .*set config\.servers\.redisServer/)]);
    expect((await bad({ bind: '192.0.2.1' })).problems).toEqual([expect.stringMatching(/^config\.servers\.bind 192\.0\.2\.1 is not an address of this host/)]);
    expect((await bad({ ports: '80-90' })).problems).toEqual(['config.servers.ports must be a range such as "7100-7199" within 1024-65535']);
    expect((await bad({ dataDir: 'relative' })).problems).toEqual(['config.servers.dataDir must be an absolute folder, e.g. /var/lib/paved/redis']);
    await expect(driver.create(dedicatedContext(target, undefined, { ...DEDICATED, maxmemory: 'lots' }))).rejects.toMatchObject({ issues: [{ path: 'values.maxmemory' }] });
  });
});
