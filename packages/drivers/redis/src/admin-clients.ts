import type { Redis } from 'ioredis';
import { RedisClient } from './ioredis.js';
import { createTargetClients, errorLine, readOnce, type Logger, type TargetClients } from '@paved/driver-api';
import { readTargetConfig, type AclPersistence, type RedisTargetConfig } from './target-config.js';

/** One admin connection per target, and what we learned about the server behind it. */
export interface TargetConnection {
  redis: Redis;
  config: RedisTargetConfig;
  /** Version and how ACL changes are persisted, read once per connection. */
  facts(): Promise<ServerFacts>;
  /** Why the connection is down (`connect ECONNREFUSED …`) while it is; its commands' own errors do not say. */
  whyDown(): Error | undefined;
}

export interface ServerFacts {
  version: string;
  major: number;
  minor: number;
  /** Path of the server's aclfile ('' when it has none). */
  aclfile: string;
  /** Path of the config file the server was started with ('' when none). */
  configFile: string;
  /** The persistence in force: configured, or detected from the two above. */
  persistence: AclPersistence;
}

export function createAdminClients(logger: Logger): TargetClients<TargetConnection> {
  return createTargetClients({
    open(target) {
      const config = readTargetConfig(target);
      // One connection is enough: Redis runs commands one at a time anyway. It reconnects on its
      // own (a restarted server), and a command waits at most one retry for that.
      const redis = new (RedisClient())(config.admin.href, {
        lazyConnect: true,
        connectTimeout: 5_000,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(times * 100, 2_000),
      });
      // Without a listener a lost connection would crash the process; the next command reconnects.
      let down: Error | undefined;
      redis.on('error', (error: Error) => {
        down = error;
        logger.warn({ target: target.name, err: errorLine(error, [config.admin.password]) }, 'redis admin connection error');
      });
      redis.on('ready', () => { down = undefined; });
      return { redis, config, facts: readOnce(() => readFacts(redis, config)), whyDown: () => down };
    },
    close: (connection) => connection.redis.quit().then(() => undefined, () => connection.redis.disconnect()),
  });
}

async function readFacts(redis: Redis, config: RedisTargetConfig): Promise<ServerFacts> {
  const info = String(await redis.call('INFO', 'server'));
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
  const version = field('redis_version');
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const aclfileReply = (await redis.call('CONFIG', 'GET', 'aclfile')) as string[];
  const aclfile = aclfileReply[1] ?? '';
  const configFile = field('config_file');
  const detected: AclPersistence = aclfile !== '' ? 'aclfile' : configFile !== '' ? 'config-rewrite' : 'none';
  return { version, major, minor, aclfile, configFile, persistence: config.aclPersistence ?? detected };
}
