import type { Observation } from '@paved/driver-api';
import type { IncludeSpec, ReasonOf } from '@paved/model';
import type { EngineState } from '@paved/store';
import type { PartChange, PartSpec } from './composite-plan.js';
import { formatDuration } from './grace-period.js';

/**
 * The engine decides here, and only here. A pass observes, asks `planReconcile` (or, for a
 * composite product, `planComposite`) for everything it will do, in order, and then carries
 * the steps out without deciding anything more. The functions are pure: a preview or a dry run
 * that calls them with the same inputs gets exactly the steps the next pass would take.
 */

export type DriftMode = 'repair' | 'report';

/** Stable CamelCase reasons for a plan, for machines; `message` is the sentence for people. */
export type PlanReason = ReasonOf<'Plan'>;

/** One thing a pass does to an instance with a driver. Every step carries a sentence for people. */
export type DriverStep =
  | { kind: 'create'; message: string }
  | { kind: 'update'; message: string }
  /** drift: report: leave the resource as it is; say so in the status. */
  | { kind: 'report-drift'; resourceExists: boolean; diff: readonly string[]; message: string }
  /** Issue credential `rotation` beside the current one, which works for `gracePeriodMs` more. */
  | { kind: 'rotate'; rotation: number; gracePeriodMs: number; message: string }
  /** Revoke credential `previousRotation`; `early` when its grace period still runs (a newer rotation needs the room). */
  | { kind: 'revoke'; previousRotation: number; early: boolean; message: string }
  /** The driver cannot rotate: drop the rotation request. */
  | { kind: 'drop-rotation'; message: string }
  /** Run the product's contract checks with the credentials the earlier steps left current. */
  | { kind: 'run-checks'; checks: readonly string[]; message: string }
  /** One rung of the driver's deletion ladder. */
  | { kind: 'delete-step'; name: string; message: string }
  | { kind: 'forget'; message: string }
  /** Nothing to change: record that the instance is as it should be. */
  | { kind: 'none'; message: string };

/** One thing a pass does to a composite instance: its parts are instances the engine keeps. */
export type CompositeStep =
  | { kind: 'create-part'; part: string; include: IncludeSpec; spec: PartSpec; message: string }
  | { kind: 'update-part'; part: string; instanceId: string; change: PartChange; message: string }
  /** Ask for the part's deletion (its own passes carry it out). */
  | { kind: 'delete-part'; part: string; instanceId: string; message: string }
  | { kind: 'forget'; message: string }
  /** Nothing to change: record the composite's status from its parts. */
  | { kind: 'none'; message: string };

export type PlannedStep = DriverStep | CompositeStep;

export interface ReconcilePlan<Step extends PlannedStep = PlannedStep> {
  /** Everything the pass will do, in order; never empty (`none` when there is nothing to change). */
  steps: Step[];
  reason: PlanReason;
  /** Why, in one sentence for people. */
  message: string;
  /** True when the resource changed behind Paved's back (vanished or differs) rather than the spec. */
  drifted: boolean;
}

/**
 * What a plan for an instance with a driver is computed from. `planInstance` builds it from
 * the instance, its product version, its driver and an observation; build it by hand only to
 * ask "what if".
 */
export interface PlanInput {
  instance: {
    /** The desired spec's generation (bumped by every spec change and by the deletion request). */
    generation: number;
    /** The generation last applied successfully. */
    observedGeneration: number;
    deletionRequested: boolean;
    /** The last status says the product's contract checks passed (ContractChecks True). */
    checksPassed: boolean;
  };
  /**
   * The engine's own record of the instance (EngineState in the store): the driver call that
   * may have started (`pendingAction`), the deletion step that may have started
   * (`deletionStep`), the current and the asked-for credential, and the previous credential
   * still working until `revokeAt`.
   */
  engine: Pick<EngineState, 'pendingAction' | 'deletionStep' | 'rotation' | 'desiredRotation' | 'revokeRotation' | 'revokeAt'>;
  product: {
    drift: DriftMode;
    /** `spec.checks`, in the order they run. */
    checks: readonly string[];
    /** How long a previous credential keeps working after a rotation (the plan's grace period). */
    gracePeriodMs: number;
  };
  driver: {
    /** The names of its deletion steps, in order. */
    deletion: readonly string[];
    /** It can rotate and revoke credentials. */
    rotates: boolean;
  };
  /** What driver.observe found. Absent when deletion is requested: the deletion ladder does not look first. */
  observation?: Pick<Observation, 'exists' | 'upToDate' | 'diff'>;
  /** The secret store holds the instance's credentials (the last step of a successful create or update). */
  hasCredentials: boolean;
  /** Epoch ms: a previous credential is revoked once its `revokeAt` has come. */
  now: number;
}

function plan(reason: PlanReason, message: string, steps: DriverStep[], drifted = false): ReconcilePlan<DriverStep> {
  return { steps, reason, message, drifted };
}

/**
 * Everything the next pass over an instance with a driver will do, in order. Deletion runs the
 * ladder from the recorded step, then forgets. Otherwise a create or update when the resource
 * is missing, behind its spec, drifted or without stored credentials (then the contract
 * checks); with nothing to apply, a pending rotation, then a due revocation, then contract
 * checks that have not passed. Pure: no I/O, no clock (`now` is an input).
 */
export function planReconcile(input: PlanInput): ReconcilePlan<DriverStep> {
  if (input.instance.deletionRequested) return planDeletion(input);
  if (input.observation === undefined) throw new TypeError('planReconcile needs an observation unless deletion is requested');
  return planChange(input, input.observation) ?? planUpkeep(input);
}

function describeDiff(diff: readonly string[]): string {
  return diff.length > 0 ? diff.join('; ') : 'the driver reported a difference without details';
}

function checksStep(input: PlanInput, credentials: 'new' | 'current'): DriverStep[] {
  const { checks } = input.product;
  if (checks.length === 0) return [];
  return [{ kind: 'run-checks', checks, message: `Run the contract checks ${checks.join(', ')} with the ${credentials} credentials.` }];
}

/** Create or update when the resource is not what the spec says; undefined when it is. */
function planChange(input: PlanInput, observation: NonNullable<PlanInput['observation']>): ReconcilePlan<DriverStep> | undefined {
  const { generation, observedGeneration } = input.instance;
  const specChanged = generation > observedGeneration;
  const create = (): DriverStep[] => [{ kind: 'create', message: `Create the resource on its target at generation ${generation} of the spec.` }, ...checksStep(input, 'new')];
  const update = (): DriverStep[] => [{ kind: 'update', message: `Update the resource to generation ${generation} of the spec.` }, ...checksStep(input, 'new')];
  const report = (): DriverStep[] => [{
    kind: 'report-drift',
    resourceExists: observation.exists,
    diff: observation.diff,
    message: 'Leave the resource as it is and report the difference (drift: report).',
  }];

  if (!observation.exists) {
    // Never provisioned at this generation (first create, a spec change, or a create that
    // crashed before it took effect): create. Observing first is what makes the resume safe.
    if (specChanged) return plan('NotCreated', 'The resource does not exist on the target yet; creating it.', create());
    // It was provisioned at the current generation and is gone now: someone removed it.
    if (input.product.drift === 'repair') {
      return plan('ResourceMissing', 'The resource was removed from the target outside Paved; re-creating it.', create(), true);
    }
    return plan(
      'ResourceMissing',
      "The resource was removed from the target outside Paved; drift mode is 'report', so Paved leaves it: re-create it on the target, or set drift: repair in the product.",
      report(),
      true,
    );
  }

  // A driver call was recorded as started and never as finished: finish it (calls are
  // idempotent, and update converges an existing resource on the spec whichever call it was).
  // A rotate or revoke intent is not resumed here: the credential steps are level-triggered.
  const pending = input.engine.pendingAction;
  if (pending === 'create' || pending === 'update') {
    return plan('ResumingInterruptedCall', `A previous ${pending} was interrupted; finishing it.`, update());
  }

  if (specChanged) return plan('SpecChanged', `Applying generation ${generation} of the spec to the existing resource.`, update());

  if (!observation.upToDate) {
    const diff = describeDiff(observation.diff);
    if (input.product.drift === 'repair') return plan('Drifted', `The resource differs from its spec (${diff}); repairing it.`, update(), true);
    return plan(
      'Drifted',
      `The resource differs from its spec (${diff}); drift mode is 'report', so Paved leaves it: fix it on the target, or set drift: repair in the product.`,
      report(),
      true,
    );
  }

  // Exists and matches, but the credentials never reached the secret store (a crash right
  // after the driver call): update again, which re-issues every output.
  if (!input.hasCredentials) return plan('CredentialsMissing', 'The credentials of the resource are not stored; issuing them again.', update());

  return undefined;
}

/** The resource is as its spec says: credentials and checks that are owed, else nothing. */
function planUpkeep(input: PlanInput): ReconcilePlan<DriverStep> {
  const { engine, product } = input;
  const checksOwed = product.checks.length > 0 && !input.instance.checksPassed;

  if (engine.desiredRotation > engine.rotation) {
    if (!input.driver.rotates) {
      return plan('RotationUnsupported', "A credential rotation was asked for, but the product's driver cannot rotate credentials.", [
        { kind: 'drop-rotation', message: 'Drop the rotation request; the current credential stays.' },
      ]);
    }
    const next = engine.rotation + 1;
    const steps: DriverStep[] = [];
    // At most two credentials work at once: a previous one still in its grace period goes first.
    if (engine.revokeRotation !== null) {
      const older = engine.revokeRotation;
      steps.push({ kind: 'revoke', previousRotation: older, early: true, message: `Revoke credential ${older} now, before its grace period ends: at most two credentials work at once.` });
    }
    const grace = formatDuration(product.gracePeriodMs);
    steps.push({ kind: 'rotate', rotation: next, gracePeriodMs: product.gracePeriodMs, message: `Issue credential ${next}; credential ${engine.rotation} keeps working for ${grace} more.` });
    steps.push(...checksStep(input, 'new'));
    const why = engine.pendingAction === 'rotate'
      ? `Issuing credential ${next} was interrupted; issuing it again (the same secrets: rotate is idempotent).`
      : `Credential ${next} was asked for; issuing it beside credential ${engine.rotation}.`;
    return plan('RotationRequested', why, steps);
  }

  if (engine.revokeRotation !== null && engine.revokeAt !== null && engine.revokeAt <= input.now) {
    const retired = engine.revokeRotation;
    return plan('RevocationDue', `The grace period of credential ${retired} is over; revoking it.`, [
      { kind: 'revoke', previousRotation: retired, early: false, message: `Revoke credential ${retired}.` },
      ...(checksOwed ? checksStep(input, 'current') : []),
    ]);
  }

  if (checksOwed) return plan('ChecksNotPassed', 'The contract checks did not pass last time; running them again.', checksStep(input, 'current'));

  return plan('UpToDate', 'The resource matches its spec.', [{ kind: 'none', message: 'Nothing to change; record that the instance is up to date.' }]);
}

/** The deletion ladder from the step that may have started (steps are idempotent), then forget. */
function planDeletion(input: PlanInput): ReconcilePlan<DriverStep> {
  const names = input.driver.deletion;
  const recorded = input.engine.deletionStep;
  // A step name the driver no longer has (driver upgraded mid-deletion): start over; it is safe.
  const start = recorded === null ? 0 : Math.max(0, names.indexOf(recorded));
  const resumed = recorded !== null && names[start] === recorded;
  const steps: DriverStep[] = names.slice(start).map((name, index) => ({
    kind: 'delete-step',
    name,
    message: index === 0 && resumed ? `Run deletion step "${name}" again: it may not have finished.` : `Run deletion step "${name}".`,
  }));
  steps.push({ kind: 'forget', message: 'Forget the instance: its record and its secrets.' });
  const why = resumed
    ? `Deletion was requested and stopped at step "${recorded}"; resuming there.`
    : 'Deletion was requested; deleting the resource and its credentials.';
  return plan('DeletionRequested', why, steps);
}
