import { preflightWith, silentLogger, type Driver, type DriverContext, type Logger } from '@paved/driver-api';
import { createAdminClients } from './admin-clients.js';
import { provision } from './provision.js';
import { observe } from './observe.js';
import { deletionSteps } from './deletion.js';
import { preflight } from './preflight.js';
import { revoke } from './rotation.js';
import { checks } from './checks.js';

export interface RedisDriverOptions {
  logger?: Logger;
}

/**
 * Driver type 'redis': per instance, an ACL user confined to the key and channel prefix
 * `<externalName>:` and refused every command that reaches beyond it. One user per credential
 * (`credentialName`), so rotation and revocation are exact. See README.md and docs/drivers/redis.md.
 * Target config: `{ url, host?, port?, aclPersistence? }`.
 */
export function createRedisDriver(options: RedisDriverOptions = {}): Driver {
  const clients = createAdminClients(options.logger ?? silentLogger);
  const connect = (ctx: DriverContext) => clients.forTarget(ctx.target);
  return {
    type: 'redis',
    secrets: Object.freeze({ password: { bytes: 24 } }),
    deletion: deletionSteps(connect),
    checks,
    preflight: (target) => preflightWith(target, clients.forTarget, preflight),
    observe: async (ctx) => observe(connect(ctx), ctx),
    create: async (ctx) => provision(connect(ctx), ctx),
    update: async (ctx) => provision(connect(ctx), ctx),
    // The new credential's user is made exactly like a create's; the previous one is untouched.
    rotate: async (ctx) => provision(connect(ctx), ctx),
    revoke: async (ctx) => revoke(connect(ctx), ctx),
    close: () => clients.closeAll(),
  };
}
