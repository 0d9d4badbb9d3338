import { preflightWith, silentLogger, type Driver, type DriverContext, type Logger } from '@paved/driver-api';
import { createPools } from './pools.js';
import { provision } from './provision.js';
import { observe } from './observe.js';
import { deletionSteps } from './deletion.js';
import { preflight } from './preflight.js';
import { revoke } from './rotation.js';
import { contractChecks } from './checks.js';
import { wantedResource } from './spec.js';

export interface MysqlDriverOptions {
  logger?: Logger;
  /**
   * Admin connections per target (default 8). A create sends the accounts' read, the database
   * and the accounts' CREATE USER at once (three statements; five before the accounts went in
   * one, when with 4 the fifth waited for a connection on every create: ≈ 3.6 ms, bench/README
   * §1 round 8b); two passes at once send twice as many.
   */
  maxConnections?: number;
}

/**
 * Driver type 'mysql' (MariaDB): per instance, a database named after the external name and a
 * login limited to it, one login per credential rotation. See README.md and docs/drivers/mysql.md.
 * Target config: `{ url, host?, port? }`; host/port are what instances are told to connect to.
 */
export function createMysqlDriver(options: MysqlDriverOptions = {}): Driver {
  const pools = createPools({ maxConnections: options.maxConnections ?? 8, logger: options.logger ?? silentLogger });
  const connect = (ctx: DriverContext) => pools.forTarget(ctx.target);
  return {
    type: 'mysql',
    secrets: Object.freeze({ password: { bytes: 24 } }),
    deletion: deletionSteps(connect),
    checks: contractChecks,
    // Started together on the run's one tenant connection: mysql2 queues them and sends each
    // command as the one before it ends, with no turn of the event loop between checks (a busy
    // server's loop made each turn cost). No check sees another's work: write-read's table is
    // its own, and isolation reads databases and grants, not tables.
    checksTogether: true,
    // Each login's MAX_USER_CONNECTIONS; 0 is none.
    connectionLimit: (instance) => wantedResource({ instance }).connectionLimit || undefined,
    preflight: (target) => preflightWith(target, pools.forTarget, preflight),
    observe: async (ctx) => observe(connect(ctx), ctx),
    // create is update (CREATE … IF NOT EXISTS, then ALTER USER and the grants set whole): on a
    // database and user already there it converges them, so the engine need not observe a new instance first.
    createsUnobserved: true,
    create: async (ctx) => provision(connect(ctx), ctx, { create: true }),
    update: async (ctx) => provision(connect(ctx), ctx),
    // A rotation is a create of login number ctx.instance.rotation; the previous one is untouched.
    rotate: async (ctx) => provision(connect(ctx), ctx),
    revoke: async (ctx) => revoke(connect(ctx), ctx),
    close: () => pools.closeAll(),
  };
}
