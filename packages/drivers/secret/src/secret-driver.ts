import { requireSecret, type ApplyResult, type Driver, type DriverContext, type Logger, type Observation, type Target } from '@paved/driver-api';

export interface SecretDriverOptions {
  /** Accepted for symmetry with other drivers (DriverFactory); this driver has nothing to log. */
  logger?: Logger;
}

/**
 * Driver type 'secret': a generated value and nothing else. Nothing lives outside Paved, so
 * there is no target to reach (its config is ignored), observe always finds the resource up to
 * date (the engine calls create once because no credentials are stored yet), create and update
 * hand back the engine-generated value, and deletion has no steps: the engine forgets the
 * secret, which is all there is to remove.
 */
export function createSecretDriver(_options: SecretDriverOptions = {}): Driver {
  return {
    type: 'secret',
    secrets: Object.freeze({ value: { bytes: 32 } }),
    deletion: [],
    // Create is update, and nothing lives outside Paved to find: a first pass creates without
    // observing (and a failure on it says Creating, not Updating).
    createsUnobserved: true,
    async preflight(_target: Target) {
      return { ok: true, problems: [] };
    },
    async observe(_ctx: DriverContext): Promise<Observation> {
      return { exists: true, upToDate: true, diff: [] };
    },
    create: async (ctx) => issue(ctx),
    update: async (ctx) => issue(ctx),
  };
}

function issue(ctx: DriverContext): ApplyResult {
  return { outputs: { value: requireSecret('secret driver', ctx, 'value') } };
}
