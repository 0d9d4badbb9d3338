import type { ApplyResult, Driver, DriverContext, DriverInstance, Logger, Observation, Target } from '@paved/driver-api';

export interface LogStreamDriverOptions {
  /** Accepted for symmetry with other drivers (DriverFactory); this driver has nothing to log. */
  logger?: Logger;
}

/**
 * The stream's name, "<team>/<service>/<environment>": from the workload that asked for the
 * instance (every service gets one through the workload apply, the product being baked in),
 * else from the `service` and `environment` inputs of an instance taken by hand, else after
 * the instance itself in environment "default".
 */
export function logStreamName(instance: Pick<DriverInstance, 'team' | 'name' | 'values' | 'workload'>): string {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const service = instance.workload?.service ?? text(instance.values.service) ?? instance.name;
  const environment = instance.workload?.environment ?? text(instance.values.environment) ?? 'default';
  return `${instance.team}/${service}/${environment}`;
}

/**
 * Driver type 'log-stream': a service's log stream in one environment. The lines live in
 * Paved's own store (the server appends, serves and prunes them), so there is nothing to create
 * on a target: like the `secret` driver it is stateless, observe always finds it up to date,
 * create and update hand back the stream's name, and deletion has no steps. Retention is read
 * from the instance's `retention` value by the server's pruning job, not enforced here.
 */
export function createLogStreamDriver(_options: LogStreamDriverOptions = {}): Driver {
  const describe = (ctx: DriverContext): ApplyResult => ({ outputs: { stream: logStreamName(ctx.instance) } });
  return {
    type: 'log-stream',
    secrets: Object.freeze({}),
    deletion: [],
    async preflight(_target: Target) {
      return { ok: true, problems: [] };
    },
    async observe(ctx: DriverContext): Promise<Observation> {
      return { exists: true, upToDate: true, diff: [], outputs: describe(ctx).outputs };
    },
    create: async (ctx) => describe(ctx),
    update: async (ctx) => describe(ctx),
  };
}
