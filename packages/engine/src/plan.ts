import type { Observation } from '@paved/driver-api';
import type { Phase, ReasonOf } from '@paved/model';

export type DriftMode = 'repair' | 'report';

/** What the engine knows of the desired state, from the store. */
export interface PlanInput {
  generation: number;
  observedGeneration: number;
  /** A driver call recorded as started but never recorded as finished (a crash in between). */
  pendingAction: 'create' | 'update' | null;
  /** Whether the secret store holds the instance's credentials (the last step of a successful apply). */
  hasCredentials: boolean;
  drift: DriftMode;
  phase: Phase;
}

export type PlannedAction = 'create' | 'update' | 'none' | 'report-drift';

/** Stable CamelCase reasons for a plan, for machines; `message` is the sentence for people. */
export type PlanReason = ReasonOf<'Plan'>;

export interface ReconcilePlan {
  action: PlannedAction;
  reason: PlanReason;
  message: string;
  /** True when the resource changed behind Paved's back (vanished or differs) rather than the spec. */
  drifted: boolean;
}

function plan(action: PlannedAction, reason: PlanReason, message: string, drifted = false): ReconcilePlan {
  return { action, reason, message, drifted };
}

function describeDiff(diff: readonly string[]): string {
  return diff.length > 0 ? diff.join('; ') : 'the driver reported a difference without details';
}

/**
 * Decides what to do with one instance from its desired state and what the driver observed.
 * Pure: no I/O, no clock. The engine applies the result; `paved plan`, dry runs and the
 * portal's preview call it as is.
 */
export function planReconcile(input: PlanInput, observation: Pick<Observation, 'exists' | 'upToDate' | 'diff'>): ReconcilePlan {
  const specChanged = input.generation > input.observedGeneration;

  if (!observation.exists) {
    // Never provisioned at this generation (first create, a spec change, or a create that
    // crashed before it took effect): create. Observing first is what makes the resume safe.
    if (specChanged) {
      return plan('create', 'NotCreated', 'The resource does not exist on the target yet; creating it.');
    }
    // It was provisioned at the current generation and is gone now: someone removed it.
    if (input.drift === 'repair') {
      return plan('create', 'ResourceMissing', 'The resource was removed from the target outside Paved; re-creating it.', true);
    }
    return plan(
      'report-drift',
      'ResourceMissing',
      "The resource was removed from the target outside Paved; drift mode is 'report', so Paved leaves it: re-create it on the target, or set drift: repair in the product.",
      true,
    );
  }

  // A driver call was recorded as started and never as finished: finish it (calls are
  // idempotent, and update converges an existing resource on the spec whichever call it was).
  if (input.pendingAction !== null) {
    return plan('update', 'ResumingInterruptedCall', `A previous ${input.pendingAction} was interrupted; finishing it.`);
  }

  if (specChanged) {
    return plan('update', 'SpecChanged', `Applying generation ${input.generation} of the spec to the existing resource.`);
  }

  if (!observation.upToDate) {
    const diff = describeDiff(observation.diff);
    if (input.drift === 'repair') {
      return plan('update', 'Drifted', `The resource differs from its spec (${diff}); repairing it.`, true);
    }
    return plan(
      'report-drift',
      'Drifted',
      `The resource differs from its spec (${diff}); drift mode is 'report', so Paved leaves it: fix it on the target, or set drift: repair in the product.`,
      true,
    );
  }

  // Exists and matches, but the credentials never reached the secret store (a crash right
  // after the driver call): update again, which re-issues every output.
  if (!input.hasCredentials) {
    return plan('update', 'CredentialsMissing', 'The credentials of the resource are not stored; issuing them again.');
  }

  return plan('none', 'UpToDate', 'The resource matches its spec.');
}
