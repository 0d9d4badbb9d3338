import { preflightWith, silentLogger, type Driver, type DriverContext, type Logger } from '@paved/driver-api';
import { createPools } from './pools.js';
import { provision, wantedConnectionLimit } from './provision.js';
import { observe } from './observe.js';
import { deletionSteps } from './deletion.js';
import { preflight } from './preflight.js';
import { postgresChecks } from './checks.js';
import { revoke, rotate } from './rotation.js';

export interface PostgresDriverOptions {
  logger?: Logger;
  /** Admin connections per target (default 4): CREATE DATABASE gains nothing past 2–4 at once. */
  maxConnections?: number;
}

/**
 * Driver type 'postgres': per instance, a LOGIN role and a database of the same name (the
 * instance's external name) owned by it, closed to everyone else. See docs/drivers/postgres.md.
 * Target config: `{ url, host?, port? }`; host/port are what instances are told to connect to.
 */
export function createPostgresDriver(options: PostgresDriverOptions = {}): Driver {
  const pools = createPools({ maxConnections: options.maxConnections ?? 4, logger: options.logger ?? silentLogger });
  const connect = (ctx: DriverContext) => pools.forTarget(ctx.target);
  return {
    type: 'postgres',
    secrets: Object.freeze({ password: { bytes: 24 } }),
    deletion: deletionSteps(connect),
    preflight: (target) => preflightWith(target, pools.forTarget, preflight),
    observe: async (ctx) => observe(connect(ctx), ctx),
    // create is update (the role and database are made when missing, else altered to the spec):
    // it converges an existing one, so the engine need not observe a new instance first.
    createsUnobserved: true,
    create: async (ctx) => provision(connect(ctx), ctx, 'create'),
    update: async (ctx) => provision(connect(ctx), ctx, 'update'),
    checks: postgresChecks,
    // Started together on the run's one tenant session: each check's query goes out as the one
    // before it ends (checks.ts inTurn), without the engine's turn and deadline between checks.
    // None sees another's work: write-read's transaction is rolled back before isolation's
    // query is sent, and isolation reads databases, roles and grants, not tables.
    checksTogether: true,
    // The login's CONNECTION LIMIT; -1 is none.
    connectionLimit: (instance) => {
      const limit = wantedConnectionLimit({ instance });
      return limit === -1 ? undefined : limit;
    },
    rotate: async (ctx) => rotate(connect(ctx), ctx),
    revoke: async (ctx) => revoke(connect(ctx), ctx),
    close: () => pools.closeAll(),
  };
}
