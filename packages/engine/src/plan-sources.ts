import type { Driver } from '@paved/driver-api';
import type { Instance, ProductVersion } from '@paved/model';
import { hasCondition } from './conditions.js';
import { gracePeriodMs } from './grace-period.js';
import { planReconcile, type PlanInput, type ReconcilePlan, type DriverStep } from './plan.js';

/** What a plan for an instance with a driver is computed from, as the engine (or a preview) has it. */
export interface PlanSources {
  /** The instance as the store has it (with a preview's change applied, for "what if"). */
  instance: Pick<Instance, 'generation' | 'observedGeneration' | 'deletionRequested' | 'plan' | 'status' | 'credentials'>;
  /**
   * The engine's own record of the instance, which only a claimed instance carries. Without
   * it (a preview from the API's view) it is read from `instance.credentials`, as if no
   * driver call or deletion step had been interrupted.
   */
  engine?: PlanInput['engine'];
  /** The product version the instance is pinned to. */
  product: ProductVersion;
  driver: Pick<Driver, 'deletion' | 'rotate' | 'revoke'>;
  /** What driver.observe found (observe changes nothing); omit it when deletion is requested. */
  observation?: PlanInput['observation'];
  /** Whether the secret store holds the instance's credentials (`credentials`); only read when the resource exists. */
  hasCredentials: boolean;
  /** Epoch ms. */
  now: number;
}

/** The engine's record as far as `instance.credentials` shows it (rotation n's predecessor is n-1). */
function engineFromCredentials(credentials: Instance['credentials']): PlanInput['engine'] {
  const { rotation, rotating, previousRevokeAt } = credentials;
  return {
    pendingAction: null,
    deletionStep: null,
    rotation,
    desiredRotation: rotating ? rotation + 1 : rotation,
    revokeRotation: previousRevokeAt === undefined ? null : rotation - 1,
    revokeAt: previousRevokeAt === undefined ? null : Date.parse(previousRevokeAt),
  };
}

/** The plan's input, read from the instance, its product version and its driver. Pure. */
export function planInputFor(sources: PlanSources): PlanInput {
  const { instance, product, driver } = sources;
  const spec = product.manifest.spec;
  return {
    instance: {
      generation: instance.generation,
      observedGeneration: instance.observedGeneration,
      deletionRequested: instance.deletionRequested,
      checksPassed: hasCondition(instance.status.conditions, { type: 'ContractChecks', status: 'True', reason: 'ChecksPassed' }),
    },
    engine: sources.engine ?? engineFromCredentials(instance.credentials),
    product: { drift: spec.drift ?? 'repair', checks: spec.checks ?? [], gracePeriodMs: gracePeriodMs(product.manifest, instance.plan) },
    driver: { deletion: driver.deletion.map((step) => step.name), rotates: driver.rotate !== undefined && driver.revoke !== undefined },
    ...(sources.observation === undefined ? {} : { observation: sources.observation }),
    hasCredentials: sources.hasCredentials,
    now: sources.now,
  };
}

/**
 * What the next pass over this instance will do, in order: the function the engine itself
 * calls each pass, for previews and dry runs to call with the same inputs. Pure.
 */
export function planInstance(sources: PlanSources): ReconcilePlan<DriverStep> {
  return planReconcile(planInputFor(sources));
}
