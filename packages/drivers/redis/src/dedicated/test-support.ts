/**
 * Helpers shared by the dedicated-server tests (excluded from the build): a target whose data
 * folder and port range belong to the test file, and what exists of an instance on the host.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { silentLogger, type DriverContext, type Target } from '@paved/driver-api';
import type { DriverConformanceOptions } from '@paved/driver-api/conformance';
import { createRedisDriver } from '../index.js';
import { REDIS_SERVER, tenant } from '../test-support.js';

/** Plan values of a small dedicated server. */
export const DEDICATED = Object.freeze({ server: 'dedicated', maxmemory: '16mb', persistence: 'aof' });

/** A target with a data folder of its own and a port range drawn at random, away from other tests. */
export function dedicatedTarget(name = 'host'): Target & { dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'paved-redis-servers-'));
  const first = 20_000 + Math.floor(Math.random() * 400) * 20;
  return { name, driver: 'redis', labels: {}, config: { servers: { bind: '127.0.0.1', ports: `${first}-${first + 19}`, dataDir, redisServer: REDIS_SERVER } }, dataDir };
}

export function dedicatedContext(target: Target, externalName = `pv_ded_${randomBytes(5).toString('hex')}`, values: Record<string, unknown> = DEDICATED): DriverContext {
  return {
    instance: { id: externalName, team: 'team-a', name: externalName.replace(/_/g, '-'), externalName, product: 'redis', plan: 'dedicated', values },
    target,
    secrets: { password: randomBytes(24).toString('hex') },
    signal: new AbortController().signal,
    logger: silentLogger,
  };
}

/** Processes whose command line names `path` (a config file): the instance's servers, by /proc. */
export async function processesRunning(path: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(path)) pids.push(Number(entry));
  }
  return pids;
}

/** Everything of `externalName` on the host: its process(es), folder and port claim. */
export async function serverInventory(dataDir: string, externalName: string): Promise<string[]> {
  const items: string[] = [];
  const dir = join(dataDir, externalName);
  for (const pid of await processesRunning(join(dir, 'redis.conf'))) items.push(`process ${pid}`);
  if (await stat(dir).then(() => true, () => false)) items.push(`folder ${dir}`);
  for (const port of await readdir(join(dataDir, 'ports')).catch(() => [] as string[])) {
    if ((await readFile(join(dataDir, 'ports', port), 'utf8').catch(() => '')) === externalName) items.push(`port ${port}`);
  }
  return items;
}

export function dedicatedConformance(name: string, target: () => Target & { dataDir: string }): DriverConformanceOptions {
  let dataDir = '';
  return {
    name,
    createDriver: () => createRedisDriver(),
    target: () => {
      const made = target();
      dataDir = made.dataDir;
      return made;
    },
    outputs: ['host', 'port', 'username', 'password', 'url'],
    values: { ...DEDICATED },
    update: { values: { ...DEDICATED, maxmemory: '32mb' } },
    // What the Score project's redis example does, with no prefix: the server is the instance's.
    useCredentials: async (outputs) => {
      const redis = await tenant(outputs);
      try {
        expect(await redis.set('mykey', 'hello')).toBe('OK');
        expect(await redis.get('mykey')).toBe('hello');
      } finally {
        redis.disconnect();
      }
    },
    // B's password on A's server: refused (WRONGPASS).
    crossAccess: async (victim, intruder) => {
      const redis = await tenant(victim, { password: intruder.password ?? '' });
      try {
        await redis.ping();
      } finally {
        redis.disconnect();
      }
    },
    inventory: (externalName) => serverInventory(dataDir, externalName),
    assertGone: async (externalName) => {
      const left = await serverInventory(dataDir, externalName);
      if (left.length > 0) throw new Error(`${externalName} is still on the host: ${left.join(', ')}`);
    },
  };
}
