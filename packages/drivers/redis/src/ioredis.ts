import { createRequire } from 'node:module';
import type * as IoRedis from 'ioredis';

const require = createRequire(import.meta.url);
let ioredis: typeof IoRedis.Redis | undefined;

/**
 * ioredis's client class, loaded when the first Redis connection is made: every Paved loads
 * this driver, most never reach a Redis target, and the library held 8 MiB of an idle
 * `paved up` (bench/footprint.mjs). Synchronous, so connections still open where they did.
 */
export const RedisClient = (): typeof IoRedis.Redis => (ioredis ??= (require('ioredis') as typeof IoRedis).Redis);
