/**
 * Every way docs/drivers/redis.md lists for a tenant to see or
 * change what lies outside its prefix, each as a test that fails if the rule closing it is
 * dropped from TENANT_COMMAND_RULES. They run on a private redis-server: a reopened FLUSHALL
 * must not wipe the machine's shared Redis.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Driver, Target } from '@paved/driver-api';
import { REFUSED_PROBES } from './acl-rules.js';
import { createRedisDriver } from './index.js';
import { adminCall, context, ownRedisUnavailable, redisTarget, skipUnlessCi, startOwnRedis, tenant, uniqueName, type OwnRedis } from './test-support.js';

const skipHere = skipUnlessCi(ownRedisUnavailable(), 'redis trap tests');
const REFUSED = /NOPERM|no permissions|can't access/;

describe.skipIf(skipHere)('redis tenant traps (private redis-server)', () => {
  let server: OwnRedis;
  let target: Target;
  let driver: Driver;
  const a = uniqueName();
  const b = uniqueName();
  let aOut: Record<string, string>;
  let bOut: Record<string, string>;
  let client: Redis;
  // Team B's data, which team A must neither see nor change.
  const victim = `${b}:secret`;

  beforeAll(async () => {
    server = await startOwnRedis();
    target = redisTarget('own', server.url);
    driver = createRedisDriver();
    aOut = (await driver.create(context(target, a))).outputs;
    bOut = (await driver.create(context(target, b))).outputs;
    const bClient = await tenant(bOut);
    await bClient.set(victim, 'b-value');
    await bClient.rpush(`${b}:list`, '1', '2');
    bClient.disconnect();
    client = await tenant(aOut);
    await client.rpush(`${a}:list`, '3', '1', '2');
    await client.set(`${a}:own`, 'mine');
  });
  afterAll(async () => {
    client?.disconnect();
    await driver?.close?.();
    await server?.stop();
  });

  const refused = async (run: (redis: Redis) => Promise<unknown>) => {
    await expect(run(client)).rejects.toThrow(REFUSED);
  };

  it.each(REFUSED_PROBES.map((probe) => [probe.join(' '), probe] as const))('refuses "%s" (also what observe probes)', async (_label, probe) => {
    const [command, ...args] = probe as readonly string[];
    await refused((redis) => redis.call(command ?? '', ...args));
  });

  it.each([
    ['GET of another tenant key', (r: Redis) => r.get(victim)],
    ['SET of another tenant key', (r: Redis) => r.set(victim, 'stolen')],
    ['DEL of another tenant key', (r: Redis) => r.del(victim)],
    ['RENAME onto another tenant key', (r: Redis) => r.rename(`${a}:own`, victim)],
    ['OBJECT ENCODING of another tenant key', (r: Redis) => r.call('OBJECT', 'ENCODING', victim)],
    ['MEMORY USAGE of another tenant key', (r: Redis) => r.call('MEMORY', 'USAGE', victim)],
    ['DEBUG OBJECT', (r: Redis) => r.call('DEBUG', 'OBJECT', victim)],
    ['SORT … BY another tenant pattern', (r: Redis) => r.call('SORT', `${a}:list`, 'BY', `${b}:*`)],
    ['SORT … GET another tenant pattern', (r: Redis) => r.call('SORT', `${a}:list`, 'GET', `${b}:*`)],
    ['SORT_RO … GET', (r: Redis) => r.call('SORT_RO', `${a}:list`, 'GET', `${b}:*`)],
    ['EVAL reading another tenant key (ACL applies inside scripts)', (r: Redis) => r.eval(`return redis.call('get', '${victim}')`, 0)],
    ['EVAL writing another tenant key via KEYS', (r: Redis) => r.eval(`return redis.call('set', KEYS[1], 'x')`, 1, victim)],
    ['MOVE to another database', (r: Redis) => r.call('MOVE', `${a}:own`, '1')],
    ['COPY … DB into another database', (r: Redis) => r.call('COPY', `${a}:own`, `${a}:copy`, 'DB', '1')],
    ['MIGRATE', (r: Redis) => r.call('MIGRATE', '127.0.0.1', '1', `${a}:own`, '0', '100')],
    ['CLIENT KILL USER', (r: Redis) => r.call('CLIENT', 'KILL', 'USER', b)],
    ['CLIENT TRACKING with a foreign PREFIX', (r: Redis) => r.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', `${b}:`)],
    ['PUBSUB NUMSUB', (r: Redis) => r.call('PUBSUB', 'NUMSUB', `${b}:chan`)],
    ['PUBLISH on another tenant channel', (r: Redis) => r.publish(`${b}:chan`, 'x')],
    ['FUNCTION LIST', (r: Redis) => r.call('FUNCTION', 'LIST')],
    ['FUNCTION DELETE', (r: Redis) => r.call('FUNCTION', 'DELETE', 'anylib')],
    ['SCRIPT KILL', (r: Redis) => r.call('SCRIPT', 'KILL')],
    ['MEMORY STATS', (r: Redis) => r.call('MEMORY', 'STATS')],
    ['SLOWLOG GET (other tenants’ commands)', (r: Redis) => r.call('SLOWLOG', 'GET')],
    ['ACL GETUSER', (r: Redis) => r.call('ACL', 'GETUSER', b)],
  ] as const)('refuses %s', async (_label, run) => {
    await refused(run);
  });

  it('refuses SUBSCRIBE to another tenant channel and PSUBSCRIBE *, allows its own', async () => {
    const sub = await tenant(aOut);
    try {
      await expect(sub.subscribe(`${b}:chan`)).rejects.toThrow(REFUSED);
      await expect(sub.psubscribe('*')).rejects.toThrow(REFUSED);
      await expect(sub.subscribe(`${a}:chan`)).resolves.toBe(1);
    } finally {
      sub.disconnect();
    }
  });

  it('still lets the tenant use its own keys, scripts and WAIT', async () => {
    expect(await client.get(`${a}:own`)).toBe('mine');
    expect(await client.eval(`return redis.call('get', KEYS[1])`, 1, `${a}:own`)).toBe('mine');
    expect(await client.lrange(`${a}:list`, 0, -1)).toEqual(['3', '1', '2']);
    expect(await client.call('WAIT', '0', '0')).toBe(0);
  });

  it("leaves the other tenant's keys untouched after all of the above", async () => {
    expect(await adminCall(server.url, 'GET', victim)).toBe('b-value');
    expect(await adminCall(server.url, 'LRANGE', `${b}:list`, 0, -1)).toEqual(['1', '2']);
    expect(await adminCall(server.url, 'DBSIZE')).toBe(4);
    // Nothing landed in another logical database either.
    expect(await adminCall(`${server.url}/1`, 'DBSIZE')).toBe(0);
  });
});
