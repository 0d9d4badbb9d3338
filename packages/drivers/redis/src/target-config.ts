import { readServerTarget, targetConfigError, type ServerTarget, type Target } from '@paved/driver-api';

/** How ACL users are made to survive a Redis restart (docs/drivers/redis.md, target config). */
export type AclPersistence = 'aclfile' | 'config-rewrite' | 'none';
const PERSISTENCE_MODES: readonly AclPersistence[] = ['aclfile', 'config-rewrite', 'none'];

/** A Redis target's settings, read from `target.config`: `{ url, host?, port?, aclPersistence? }`. */
export interface RedisTargetConfig extends ServerTarget {
  /** rediss:// targets hand out rediss:// URLs and tenant clients use TLS. */
  tls: boolean;
  /** Undefined means: detect it from the server (aclfile, else config file, else none). */
  aclPersistence: AclPersistence | undefined;
}

export function readTargetConfig(target: Target): RedisTargetConfig {
  const server = readServerTarget(target, {
    driver: 'redis',
    field: 'url',
    schemes: ['redis', 'rediss'],
    example: 'redis://[user:password@]host:6379',
    defaultPort: 6379,
    defaultUser: 'default',
  });
  // Tenants are confined to logical database 0 (SELECT is refused to them), so the admin must
  // work there too, or deletion would clean the wrong database.
  if (server.admin.path !== '' && server.admin.path !== '0') {
    throw targetConfigError('redis', target, { path: 'config.url', message: 'must use database 0 (tenants cannot SELECT another database)' });
  }
  const { aclPersistence } = target.config;
  if (aclPersistence !== undefined && !PERSISTENCE_MODES.includes(aclPersistence as AclPersistence)) {
    throw targetConfigError('redis', target, { path: 'config.aclPersistence', message: `must be one of ${PERSISTENCE_MODES.join(', ')}` });
  }
  return {
    ...server,
    tls: server.admin.scheme === 'rediss',
    aclPersistence: aclPersistence as AclPersistence | undefined,
  };
}
