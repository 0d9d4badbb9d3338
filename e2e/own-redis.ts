/**
 * A redis-server of the test's own on a free loopback port, with an aclfile (so the driver's
 * ACL SAVE persists users across a restart): the test may stop and start it at will without
 * touching the machine's shared Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitFor } from './harness.js';

export const REDIS_SERVER = process.env.PAVED_TEST_REDIS_SERVER ?? '/usr/bin/redis-server';

export interface OwnRedis {
  port: number;
  url: string;
  start(): Promise<void>;
  /** SIGTERM and wait for the process to end: clients get "connection refused" from then on. */
  stop(): Promise<void>;
  /** ACL user names, from a fresh admin connection. */
  users(): Promise<string[]>;
}

export async function ownRedis(dir: string): Promise<OwnRedis> {
  const port = await freePort();
  const aclfile = join(dir, 'users.acl');
  writeFileSync(aclfile, '');
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const url = `redis://127.0.0.1:${port}`;
  const call = async <T>(fn: (redis: Redis) => Promise<T>): Promise<T> => {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      await redis.connect();
      return await fn(redis);
    } finally {
      redis.disconnect();
    }
  };
  const server: OwnRedis = {
    port,
    url,
    async start() {
      child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--aclfile', aclfile, '--dir', dir], { stdio: 'ignore' });
      exited = new Promise((resolve) => child!.on('exit', () => resolve()));
      await waitFor(`redis-server on ${port}`, () => call((redis) => redis.ping()).then((pong) => pong === 'PONG', () => false), 10_000);
    },
    async stop() {
      child?.kill('SIGTERM');
      await exited;
      child = undefined;
    },
    users: () => call(async (redis) => (await redis.call('ACL', 'USERS')) as string[]),
  };
  await server.start();
  return server;
}
