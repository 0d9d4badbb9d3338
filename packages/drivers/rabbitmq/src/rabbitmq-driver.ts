import { preflightWith, type Driver, type DriverContext, type Logger, type Target } from '@paved/driver-api';
import { ManagementApi } from './management-api.js';
import { fetchCall, nodeHttpCall, type Fetch } from './http-call.js';
import { readTargetConfig } from './target-config.js';
import { provision } from './provision.js';
import { observe } from './observe.js';
import { deletionSteps } from './deletion.js';
import { preflight } from './preflight.js';
import { rotate, revoke } from './rotation.js';
import { contractChecks } from './checks.js';
import { wantedLimits } from './limits.js';

export interface RabbitmqDriverOptions {
  logger?: Logger;
  /** A fetch for the management API instead of node:http (a test watching what is sent). */
  fetch?: Fetch;
}

/**
 * Driver type 'rabbitmq': per instance, a vhost named after the instance's external name and a
 * user with full rights on that vhost only, made through the management HTTP API (never
 * rabbitmqctl: 50–60× slower and it puts the password in argv). See docs/drivers/rabbitmq.md.
 * Target config: `{ managementUrl, amqpUrl?, host?, port? }` (target-config.ts).
 */
export function createRabbitmqDriver(options: RabbitmqDriverOptions = {}): Driver {
  const call = options.fetch ? fetchCall(options.fetch) : nodeHttpCall;
  // Stateless HTTP: one small client per call; node:http's global agent keeps the connections
  // and lets idle ones go, so there is no pool to close.
  const api = (target: Target) => new ManagementApi(readTargetConfig(target), call);
  const connect = (ctx: DriverContext) => api(ctx.target);
  return {
    type: 'rabbitmq',
    secrets: Object.freeze({ password: { bytes: 24 } }),
    deletion: deletionSteps(connect),
    checks: Object.freeze(contractChecks(call)),
    // write-read's queue is its own (exclusive, random name) on the channel connect opened;
    // isolation uses connections and management calls of its own: its refused logins overlap
    // the other two instead of following them.
    checksTogether: true,
    // The vhost's max-connections, which the checks' connection counts against like any other.
    connectionLimit: (instance) => wantedLimits({ instance })['max-connections'],
    preflight: (target) => preflightWith(target, api, preflight),
    observe: async (ctx) => observe(connect(ctx), ctx),
    // create is update (PUT vhost answers 204 when it was there, and the user, limits and grants
    // are then read and set whole): it converges an existing vhost, so the engine need not observe a new instance first.
    createsUnobserved: true,
    create: async (ctx) => provision(connect(ctx), ctx),
    update: async (ctx) => provision(connect(ctx), ctx),
    rotate: async (ctx) => rotate(connect(ctx), ctx),
    revoke: async (ctx) => revoke(connect(ctx), ctx),
    close: async () => {},
  };
}
