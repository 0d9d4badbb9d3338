import { DriverError, RESOLVED_VALUE, WAITING_FOR_VALUE } from '@paved/model';
import { driverPending, type ApplyResult, type Driver, type DriverContext, type Logger, type Observation, type Target } from '@paved/driver-api';

export interface ScoreDriverOptions {
  /** Accepted for symmetry with other drivers (DriverFactory); this driver has nothing to log. */
  logger?: Logger;
}

/**
 * Driver type 'score': the built-in products that serve Score's common resource types on a
 * platform without containers. Their outputs are decided when the workload is applied (the
 * server holds the catalog they come from: the environment's variables, another workload's
 * ports, the target's domain) and recorded in the instance's values (`resolved`; `waitingFor`
 * while they wait for something, such as a workload not applied yet); this driver
 * hands them out as the instance's outputs. What is real about them lives elsewhere: the
 * hostname a dns resource is given, the route `paved run` serves, the directory a volume is.
 * Stateless like the `secret` driver: nothing to create on a target, nothing to delete.
 */
export function createScoreDriver(_options: ScoreDriverOptions = {}): Driver {
  return {
    type: 'score',
    secrets: Object.freeze({}),
    deletion: [],
    // Create is update (nothing lives on a target), so it converges whatever is there: the
    // first pass creates at once, and a hand-taken instance's failure says "Creating", not the
    // "Updating" an always-exists observation planned.
    createsUnobserved: true,
    async preflight(_target: Target) {
      return { ok: true, problems: [] };
    },
    async observe(ctx: DriverContext): Promise<Observation> {
      const outputs = resolvedOutputs(ctx);
      return { exists: true, upToDate: true, diff: [], ...(outputs ? { outputs } : {}) };
    },
    create: async (ctx) => issue(ctx),
    update: async (ctx) => issue(ctx),
  };
}

function resolvedOutputs(ctx: DriverContext): Record<string, string> | undefined {
  const resolved = ctx.instance.values[RESOLVED_VALUE];
  if (typeof resolved !== 'object' || resolved === null) return undefined;
  return Object.fromEntries(Object.entries(resolved).map(([key, value]) => [key, String(value)]));
}

function issue(ctx: DriverContext): ApplyResult {
  const { instance } = ctx;
  const waiting = instance.values[WAITING_FOR_VALUE];
  if (typeof waiting === 'string' && waiting !== '') throw driverPending(`Waits for ${waiting}`);
  const outputs = resolvedOutputs(ctx);
  // Taken by hand (paved create dns x): nothing worked its outputs out.
  if (outputs === undefined) {
    // Reconciling it again cannot help: the remedy is a different request, which the engine's
    // generic advice ("fix the cause, then run paved reconcile") would not say.
    throw new DriverError(`${instance.product} resources come from a Score file, whose apply works out their outputs; this one was taken by hand`, {
      retryable: false,
      code: 'score_resource_without_workload',
      remedy: `delete it (paved delete ${instance.name} --team ${instance.team}) and name the resource under resources: in a score.yaml, then run paved apply -f score.yaml --env ENV`,
    });
  }
  return { outputs };
}
