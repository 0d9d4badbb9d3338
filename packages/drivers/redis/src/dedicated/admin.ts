/** Paved's own connection to an instance's server, as its `paved` user, for one piece of work. */
import type { Redis } from 'ioredis';
import { RedisClient } from '../ioredis.js';
import { ADMIN_USER } from './conf-file.js';
import type { ServersConfig } from './servers-config.js';

/** Where Paved reaches a server bound to `bind` (a wildcard bind is reached on loopback). */
export function reachAt(bind: string): string {
  return bind === '0.0.0.0' ? '127.0.0.1' : bind === '::' ? '::1' : bind;
}

function adminClient(config: ServersConfig, port: number, password: string): Redis {
  const redis = new (RedisClient())({
    host: reachAt(config.bind),
    port,
    username: ADMIN_USER,
    password,
    lazyConnect: true,
    enableReadyCheck: false,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  return redis;
}

export async function withAdmin<T>(config: ServersConfig, port: number, password: string, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = adminClient(config, port, password);
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/**
 * How the server on `port` answers Paved's user: `ready`; `loading` (up, still reading its AOF or
 * RDB, when it answers every command with LOADING); or `down` (nothing listens, or it refuses
 * Paved's user).
 */
export type Readiness = 'ready' | 'loading' | 'down';

export async function readiness(config: ServersConfig, port: number, password: string): Promise<Readiness> {
  return withAdmin(config, port, password, async (redis): Promise<Readiness> => ((await redis.ping()) === 'PONG' ? 'ready' : 'down')).catch((error: Error) =>
    /^LOADING/.test(error.message) ? 'loading' : 'down',
  );
}
