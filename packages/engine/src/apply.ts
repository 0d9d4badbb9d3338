import { isResourceExists, isTargetUnreachable, type DriverContext } from '@paved/driver-api';
import type { CheckResult } from '@paved/model';
import type { EngineState, NewEvent } from '@paved/store';
import { sameStatus } from './conditions.js';
import { forget, runDeletionStep } from './deletion.js';
import type { RecordedByCreate } from './create-intent.js';
import { createsUnobserved } from './first-pass.js';
import type { FailureStage } from './failure.js';
import { isInterruption } from './interruptions.js';
import { observe } from './observe.js';
import { CREDENTIALS, splitOutputs, type UnstoredSecrets } from './outputs.js';
import { supportOf, type Pass, type Resolved } from './pass.js';
import { planInstance } from './plan-sources.js';
import type { DriverStep, ReconcilePlan } from './plan.js';
import { followUpDueAt, recordChecksFailed, recordReady, rotationState, runChecks } from './record.js';
import { dropRotation, revoke, rotate } from './rotation.js';
import { driftReportStatus, workingStatus } from './status.js';

/** The stage a failure is attributed to; the pass updates it as it goes. */
export interface Progress {
  stage: FailureStage;
  step?: string;
}

/** One pass carrying out its plan: what it works on, and what its steps have done so far. */
export interface Run {
  pass: Pass;
  resolved: Resolved;
  plan: ReconcilePlan<DriverStep>;
  progress: Progress;
  /** The driver's view at the current credential; a rotate step moves it to the new one. */
  ctx: DriverContext;
  /** Every output of the last create, update or rotate, secret ones included (what the checks use). */
  outputs?: Record<string, string>;
  /** The non-secret part of `outputs`, for the instance's row. */
  plain?: Record<string, string>;
  /** The names of the secret part, as a create or update stored them (the credentials): what the Ready write will show (StatusWrite.shownSecretKeys). */
  secretKeys?: readonly string[];
  checks?: CheckResult[];
  /** Engine state and events the final write records. */
  engine: Partial<EngineState>;
  events: NewEvent[];
  /** The status says Deleting (written before the first deletion step). */
  deletingRecorded?: boolean;
  /**
   * The credentials a create or update issued, being stored (sealed and written): the contract
   * checks that follow run meanwhile, with `outputs`; every other step, and the final write,
   * waits for it first. Settled (never an unhandled rejection): awaiting it throws the failure.
   */
  storing?: { action: 'create' | 'update'; done: Promise<void> };
  /** The plan was made without the driver's observe (first-pass.ts): a create may find the resource there. */
  unobserved?: boolean;
  /** The create's intent and generated secrets were recorded by the instance's own create (create-intent.ts): its step writes none. */
  intentRecorded?: boolean;
  /**
   * Generated secrets observe made and nothing stored yet: stored before the first step that
   * changes anything, a create's or update's in the commit of its intent record.
   */
  unstored?: UnstoredSecrets;
}

/**
 * A step ends the pass ('recorded') when it wrote the pass's final state itself (forget, a
 * drift report, a dropped rotation, failed checks); otherwise the next step runs ('next'),
 * and after the last one the instance is recorded Ready with what the steps did. 'exists': a
 * create planned without observing found the resource there and changed nothing; the pass
 * observes and plans again.
 */
export type StepEnd = 'next' | 'recorded' | 'exists';

/** observe → plan → apply → record, for an instance with a driver. */
export async function reconcileWithDriver(pass: Pass, resolved: Resolved, progress: Progress): Promise<void> {
  // The intent its own create recorded, no call started since: created without observing, as
  // the intent-less first pass would (create-intent.ts made it only for such a driver).
  const recorded = resolved.driver.createsUnobserved === true ? pass.recordedByCreate() : undefined;
  const unobserved = recorded !== undefined || createsUnobserved(pass, resolved.driver);
  let run = await observeAndPlan(pass, resolved, progress, unobserved, recorded);
  let end = await applyPlan(run);
  // The create met the resource (an earlier create's, or one made under the same name): look at
  // it as any pass would. Its intent and generated secrets are stored, so this plans an update
  // with the same secrets, and a crash from here on is resumed by observing, as always.
  if (end === 'exists') {
    run = await observeAndPlan(pass, resolved, progress, false);
    end = await applyPlan(run);
  }
  if (end !== 'next') return;
  // Awaited only when there is something to wait for: an async call that has nothing to do still costs a promise and a turn.
  if (run.storing !== undefined) await stored(run);
  if (run.unstored !== undefined) await storeGeneratedAlone(run);
  await recordReady(pass, {
    ...(run.plain === undefined ? {} : { outputs: run.plain }),
    ...(run.plain === undefined || run.secretKeys === undefined ? {} : { shownSecretKeys: run.secretKeys }),
    ...(run.plan.drifted ? { repaired: run.plan } : {}),
    ...(run.checks === undefined ? {} : { checks: run.checks }),
    engine: run.engine,
    events: run.events,
  });
}

function applyStep(run: Run, step: DriverStep): Promise<StepEnd> {
  switch (step.kind) {
    case 'create':
    case 'update':
      return applyChange(run, step.kind);
    case 'run-checks':
      return runPlannedChecks(run, step.checks);
    case 'rotate':
      return rotate(run, step);
    case 'revoke':
      return revoke(run, step);
    case 'drop-rotation':
      return dropRotation(run);
    case 'report-drift':
      return recordDriftReport(run, step);
    case 'delete-step':
      return runDeletionStep(run, step.name);
    case 'forget':
      return forget(run);
    case 'none':
      return Promise.resolve('next');
  }
}

async function observeAndPlan(pass: Pass, resolved: Resolved, progress: Progress, unobserved: boolean, recorded?: RecordedByCreate): Promise<Run> {
  const { ctx, sources, unstored } = await observe(pass, resolved, progress, { unobserved, ...(recorded === undefined ? {} : { generated: recorded.generated }) });
  const plan = planInstance(sources);
  pass.deps.logger.debug({ instanceId: pass.instance.id, reason: plan.reason, steps: plan.steps.map((step) => step.kind), unobserved }, 'planned');
  return {
    pass, resolved, plan, progress, ctx, engine: {}, events: [], ...(unobserved ? { unobserved } : {}), ...(recorded === undefined ? {} : { intentRecorded: true }),
    ...(unstored === undefined ? {} : { unstored }),
  };
}

/** The plan's steps in order, until one ends the pass or finds the resource there; 'next' when all ran. */
async function applyPlan(run: Run): Promise<StepEnd> {
  for (const step of run.plan.steps) {
    if (run.storing !== undefined && step.kind !== 'run-checks') await stored(run);
    // A create or update stores them with its intent record (applyChange).
    if (run.unstored !== undefined && step.kind !== 'create' && step.kind !== 'update') await storeGeneratedAlone(run);
    const end = await applyStep(run, step);
    if (end !== 'next') return end;
  }
  return 'next';
}

async function applyChange(run: Run, action: 'create' | 'update'): Promise<StepEnd> {
  const { pass, resolved: { driver, target, product } } = run;
  run.progress.stage = action;
  // Recorded with the instance by its create, committed before this pass started: nothing to write.
  if (run.intentRecorded === true) run.intentRecorded = undefined;
  else await recordIntent(run, action);
  pass.crashPoint(`${action}:after-intent`);

  pass.assertLease();
  const calling = pass.deps.gate.run(target, () => (action === 'create' ? driver.create(run.ctx) : driver.update(run.ctx)));
  // Only a create planned without observing may meet the resource: after an observe, the error is a failure like any other.
  const result = run.unobserved === true ? await calling.catch((error: unknown) => (isResourceExists(error) ? undefined : Promise.reject(error))) : await calling;
  pass.assertLease();
  if (result === undefined) return 'exists';
  pass.crashPoint(`${action}:after-driver`);

  const { plain, secret } = splitOutputs(result.outputs, product.manifest.spec.outputs, product.manifest.spec.score?.openOutputs === true);
  // Stored even when empty: its presence is how the next pass knows this step completed. The
  // contract checks run while it is written (they use the outputs in hand, and only read the
  // resource); nothing is recorded before it is stored (see `stored`), so a crash or a failed
  // write leaves the instance as it did when the checks waited for it: intent recorded, to
  // be observed again.
  // Its commit does not wait for PostgreSQL's WAL flush (flushedLater, store/src/dialect/flushed-later.ts):
  // nothing outside the store learns of it before a synchronous commit flushes it — the status
  // written once it is stored (Ready, or Failed), or the intent any later pass records before its
  // driver call; the credentials go out only after `credentials.revealed`, committed synchronously.
  // Lost in a PostgreSQL crash, the instance is where a Paved crash during the checks leaves it:
  // intent and generated secrets durable, observed again on the next pass.
  const done = pass.secrets.put(pass.instance.id, CREDENTIALS, secret, { flushedLater: true }).then(() => pass.crashPoint(`${action}:after-secrets`));
  done.catch(() => undefined);
  run.storing = { action, done };
  run.outputs = result.outputs;
  run.plain = plain;
  run.secretKeys = Object.keys(secret);
  // New credentials: earlier check results do not speak for them (a run-checks step follows if the product has checks).
  run.checks = [];
  return 'next';
}

/** The change's intent, with generated secrets still unstored, before its driver call. */
async function recordIntent(run: Run, action: 'create' | 'update'): Promise<void> {
  const { pass, resolved: { target } } = run;
  // Intent before side effect: once this is stored, a crash during the driver call is
  // resumed by observing, never by guessing whether the call happened.
  // Generated secrets still unstored (a new instance's) are written beside it, in the same tick,
  // so that both share one commit (the store's group commit); the driver is called only once both are stored.
  const working = workingStatus(pass.previous, action, pass.subject(target.name), pass.nowIso());
  const generated = storeGenerated(run);
  const intent = sameStatus(pass.previous, working)
    ? pass.recordEngineState({ pendingAction: action })
    : pass.recordStatus({ status: working, engine: { pendingAction: action } });
  const [secrets, recorded] = await Promise.allSettled([generated, intent]);
  // A lost lease first; then the secrets' failure, the prepare stage's (as when they were written alone); then the intent's.
  if (recorded.status === 'rejected' && (isInterruption(recorded.reason) || secrets.status === 'fulfilled')) throw recorded.reason;
  if (secrets.status === 'rejected') {
    if (!isInterruption(secrets.reason)) run.progress.stage = 'prepare';
    throw secrets.reason;
  }
}

/** Stores the generated secrets observe made, if any (see Run.unstored). */
async function storeGenerated(run: Run): Promise<void> {
  const unstored = run.unstored;
  if (unstored === undefined) return;
  run.pass.assertLease();
  await run.pass.secrets.put(run.pass.instance.id, unstored.name, unstored.values);
  run.unstored = undefined;
}

/** storeGenerated before a step that records no intent of its own: a failure is the prepare stage's. */
async function storeGeneratedAlone(run: Run): Promise<void> {
  if (run.unstored === undefined) return;
  const stage = run.progress.stage;
  run.progress.stage = 'prepare';
  await storeGenerated(run);
  run.progress.stage = stage;
}

/**
 * Waits for the credentials being stored (applyChange), if any; a failure to store them is the
 * failure of the step that issued them.
 */
async function stored(run: Run): Promise<void> {
  const storing = run.storing;
  if (storing === undefined) return;
  const stage = run.progress.stage;
  run.progress.stage = storing.action;
  await storing.done;
  run.storing = undefined;
  run.progress.stage = stage;
}

/** With the credentials an earlier step issued, else the stored ones; a failure ends the pass Failed. */
async function runPlannedChecks(run: Run, names: readonly string[]): Promise<StepEnd> {
  const { pass, resolved } = run;
  run.progress.stage = 'check';
  const outputs = run.outputs ?? { ...pass.instance.outputs, ...((await pass.secrets.get(pass.instance.id, CREDENTIALS)) ?? {}) };
  const checking = runChecks(pass, resolved, names, run.ctx.instance, outputs);
  checking.catch(() => undefined); // awaited below, after the credentials' write
  // The credentials' write (if any) first: its failure is the create's, whatever the checks say.
  await stored(run).catch(async (error: unknown) => {
    await checking.catch(() => undefined);
    throw error;
  });
  const checks = await checking;
  if (checks.failed !== undefined && isTargetUnreachable(checks.failed.error)) {
    // Says nothing about the credentials: the target is down. Wait for it, keeping what this pass issued.
    await pass.recordFailure('check', checks.failed.error, supportOf(resolved.product), undefined, {
      observedGeneration: pass.instance.generation,
      ...(run.plain === undefined ? {} : { outputs: run.plain }),
      engine: { pendingAction: null },
    });
    return 'recorded';
  }
  if (checks.failed !== undefined) {
    await recordChecksFailed(pass, resolved, { results: checks.results, failed: checks.failed }, run.plain);
    return 'recorded';
  }
  run.checks = checks.results;
  return 'next';
}

async function recordDriftReport(run: Run, step: Extract<DriverStep, { kind: 'report-drift' }>): Promise<StepEnd> {
  const { pass, plan } = run;
  const status = driftReportStatus(pass.previous, { exists: step.resourceExists, message: plan.message }, pass.subject(), pass.nowIso());
  const alreadyReported = pass.previous.conditions.some((c) => c.type === 'Synced' && c.status === 'False' && c.reason === plan.reason);
  const events: NewEvent[] = [];
  if (!alreadyReported) events.push(pass.event('instance.drifted', { reason: plan.reason, message: plan.message, diff: step.diff, mode: 'report' }));
  if (status.phase === 'Failed' && pass.previous.phase !== 'Failed') {
    events.push(pass.event('instance.failed', { reason: 'ResourceMissing', message: plan.message }));
  }
  await pass.recordStatus({
    status,
    engine: { pendingAction: null, attempts: 0, dueAt: followUpDueAt(pass, rotationState(pass)) },
    events,
  });
  return 'recorded';
}
