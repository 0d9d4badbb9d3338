import { preflightWith, silentLogger, type Driver, type DriverContext, type Logger, type PreflightResult, type Target } from '@paved/driver-api';
import { createAdminClients, type TargetConnection } from './admin-clients.js';
import { provision } from './provision.js';
import { observe } from './observe.js';
import { deletionSteps } from './deletion.js';
import { preflight } from './preflight.js';
import { revoke } from './rotation.js';
import { checks } from './checks.js';
import { refusePlanChange } from './plan-change.js';
import { hasServers, isDedicated, readServersConfig } from './dedicated/servers-config.js';
import { provisionServer } from './dedicated/provision.js';
import { observeServer } from './dedicated/observe.js';
import { revokeOnServer } from './dedicated/rotation.js';
import { preflightServers } from './dedicated/preflight.js';

export interface RedisDriverOptions {
  logger?: Logger;
}

/**
 * Driver type 'redis', two ways, chosen by the plan (`values.server`):
 * - shared (default): an ACL user on the target's server confined to the key and channel prefix
 *   `<externalName>:`, one user per credential (`credentialName`);
 * - `dedicated`: a redis-server of the instance's own, run and supervised by Paved on the
 *   target's host (`config.servers`), whose `default` user takes the instance's password.
 * See README.md and docs/drivers/redis.md. Target config: `{ url?, host?, port?,
 * aclPersistence?, servers? }`: `url` for shared plans, `servers` for dedicated ones.
 */
export function createRedisDriver(options: RedisDriverOptions = {}): Driver {
  const clients = createAdminClients(options.logger ?? silentLogger);
  const connect = (ctx: DriverContext) => clients.forTarget(ctx.target);
  const apply = async (ctx: DriverContext) => {
    await refusePlanChange(ctx, () => connect(ctx));
    return isDedicated(ctx.instance) ? provisionServer(ctx) : provision(connect(ctx), ctx);
  };
  return {
    type: 'redis',
    secrets: Object.freeze({ password: { bytes: 24 } }),
    deletion: deletionSteps(connect),
    checks,
    // Each check's keys are its own (random, under the prefix; isolation's probes are refused or
    // harmless), and one connection takes them all in one round trip, answered in order.
    checksTogether: true,
    preflight: (target) => preflightBoth(target, clients.forTarget),
    observe: async (ctx) => (isDedicated(ctx.instance) ? observeServer(ctx) : observe(connect(ctx), ctx)),
    // create is update (ACL SETUSER … reset replaces the whole user; a dedicated server is converged):
    // on a user already there it converges it, so the engine need not observe a new instance first.
    createsUnobserved: true,
    create: apply,
    update: apply,
    // A rotation is a create of the new credential; the previous one is left working.
    rotate: apply,
    revoke: async (ctx) => (isDedicated(ctx.instance) ? revokeOnServer(ctx) : revoke(connect(ctx), ctx)),
    close: () => clients.closeAll(),
  };
}

/** The shared server's preflight when the target has a `url`, the dedicated servers' when it has `servers`; both when both. */
async function preflightBoth(target: Target, forTarget: (target: Target) => TargetConnection): Promise<PreflightResult> {
  const parts: PreflightResult[] = [];
  const hasUrl = target.config.url !== undefined;
  if (hasUrl || !hasServers(target)) parts.push(await preflightWith(target, forTarget, preflight));
  if (hasServers(target)) parts.push(await preflightWith(target, readServersConfig, preflightServers));
  const problems = parts.flatMap((part) => part.problems);
  const warnings = parts.flatMap((part) => part.warnings ?? []);
  const version = parts.find((part) => part.version !== undefined)?.version;
  return { ok: problems.length === 0, problems, ...(version ? { version } : {}), warnings };
}
