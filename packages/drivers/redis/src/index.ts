export { createRedisDriver } from './redis-driver.js';
export type { RedisDriverOptions } from './redis-driver.js';
export { TENANT_COMMAND_RULES, keyPrefix, passwordHash } from './acl-rules.js';
export type { AclPersistence } from './target-config.js';
