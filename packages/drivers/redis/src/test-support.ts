/**
 * Helpers shared by this driver's test files (excluded from the build). Everything talks to a
 * real server: admin checks use their own short-lived connection, never the driver's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { silentLogger, type DriverContext, type RotationContext, type Target } from '@paved/driver-api';
import type { DriverConformanceOptions } from '@paved/driver-api/conformance';
import { createRedisDriver } from './index.js';

export const MACHINE_URL = 'redis://127.0.0.1:6379';
export const REDIS_SERVER = '/usr/bin/redis-server';

/** Why `url` cannot be used (one line), or undefined when it answers. */
export async function unreachable(url: string): Promise<string | undefined> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${new URL(url).host} is not reachable (${(error as Error).message})`;
  } finally {
    redis.disconnect();
  }
}

/** Under CI a missing service fails the run; elsewhere the caller skips with this line. */
export function skipUnlessCi(reason: string | undefined, what: string): boolean {
  if (reason === undefined) return false;
  if (process.env.CI === 'true') return false;
  console.warn(`skipping ${what}: ${reason}`);
  return true;
}

/** Runs one command as the admin of `url` on a fresh connection. */
export async function adminCall(url: string, command: string, ...args: (string | number)[]): Promise<unknown> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  await redis.connect();
  try {
    return await redis.call(command, ...args);
  } finally {
    redis.disconnect();
  }
}

/** A tenant connection as an application would open one (no ready check: INFO is refused). */
export async function tenant(outputs: Record<string, string>, override: { username?: string; password?: string } = {}): Promise<Redis> {
  const redis = new Redis({
    host: outputs.host,
    port: Number(outputs.port),
    username: override.username ?? outputs.username,
    password: override.password ?? outputs.password,
    enableReadyCheck: false,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  await redis.connect();
  return redis;
}

export async function withTenantSession<T>(outputs: Record<string, string>, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = await tenant(outputs);
  try {
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

export function redisTarget(name: string, url: string, config: Record<string, unknown> = {}): Target {
  return { name, driver: 'redis', labels: {}, config: { url, ...config } };
}

export function uniqueName(): string {
  return `pv_rtest_${randomBytes(6).toString('hex')}`;
}

export function context(target: Target, externalName: string, options: { password?: string; rotation?: number } = {}): DriverContext {
  return {
    instance: { id: externalName, team: 'team-a', name: 'cache', externalName, product: 'redis', plan: 'small', values: {}, rotation: options.rotation ?? 0 },
    target,
    secrets: { password: options.password ?? randomBytes(24).toString('hex') },
    signal: new AbortController().signal,
    logger: silentLogger,
  };
}

export function rotationContext(ctx: DriverContext, previous: DriverContext): RotationContext {
  return { ...ctx, previousSecrets: previous.secrets, previousRotation: previous.instance.rotation ?? 0 };
}

/** Every user and key the target holds for `externalName`, one entry per object. */
export async function inventoryOf(url: string, externalName: string): Promise<string[]> {
  const users = ((await adminCall(url, 'ACL', 'USERS')) as string[]).filter((u) => u === externalName || new RegExp(`^${externalName}_r[0-9]+$`).test(u));
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = (await adminCall(url, 'SCAN', cursor, 'MATCH', `${externalName}:*`, 'COUNT', 1000)) as [string, string[]];
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return [...users.map((u) => `user ${u}`), ...keys.map((k) => `key ${k}`)];
}

/** Conformance options for a Redis server reached through `adminUrl`. */
export function redisConformance(name: string, adminUrl: () => Promise<string> | string, extra: Partial<DriverConformanceOptions> = {}): DriverConformanceOptions {
  let url = '';
  return {
    name,
    createDriver: () => createRedisDriver(),
    target: async () => {
      url = await adminUrl();
      return redisTarget(name.replace(/[^a-z0-9-]/g, '-'), url);
    },
    outputs: ['host', 'port', 'username', 'password', 'prefix', 'url'],
    // A lasting write and read through the issued URL, as an application would.
    useCredentials: async (outputs) => {
      const redis = new Redis(outputs.url ?? '', { enableReadyCheck: false, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      redis.on('error', () => {});
      try {
        await redis.connect();
        await redis.set(`${outputs.prefix}notes`, 'hello');
        expect(await redis.get(`${outputs.prefix}notes`)).toBe('hello');
      } finally {
        redis.disconnect();
      }
    },
    // Team B's own login, aimed at team A's keys: refused by the key pattern.
    crossAccess: async (victim, intruder) => {
      await withTenantSession(intruder, (redis) => redis.get(`${victim.prefix}notes`));
    },
    inventory: (externalName) => inventoryOf(url, externalName),
    assertGone: async (externalName) => {
      const left = await inventoryOf(url, externalName);
      if (left.length > 0) throw new Error(`${externalName} still has ${left.join(', ')}`);
    },
    ...extra,
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A private redis-server with an aclfile, so ACL SAVE works and restarts can be tested. DEBUG is enabled so that only the ACL refuses it to tenants. */
export interface OwnRedis {
  url: string;
  port: number;
  aclfile: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function ownRedisUnavailable(): string | undefined {
  return existsSync(REDIS_SERVER) ? undefined : `${REDIS_SERVER} is not installed`;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'paved-redis-'));
  const aclfile = join(dir, 'users.acl');
  writeFileSync(aclfile, '');
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--aclfile', aclfile, '--daemonize', 'no', '--dir', dir, '--enable-debug-command', 'yes'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      if ((await unreachable(url)) === undefined) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on port ${port} did not start`);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();
  return {
    url,
    port,
    aclfile,
    restart: async () => {
      await stop();
      await start();
    },
    stop: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
