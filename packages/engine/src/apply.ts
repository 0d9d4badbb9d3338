import type { DriverContext, DriverInstance, Observation } from '@paved/driver-api';
import { resolveInstanceValues, type ProductVersion } from '@paved/model';
import type { NewEvent } from '@paved/store';
import { hasCondition, sameStatus } from './conditions.js';
import type { FailureStage } from './failure.js';
import { CREDENTIALS, ensureGeneratedSecrets, splitOutputs } from './outputs.js';
import type { Pass, Resolved } from './pass.js';
import { planReconcile, type ReconcilePlan } from './plan.js';
import { followUpDueAt, recordChecksFailed, recordReady, rotationState, runChecks } from './record.js';
import { revocationDue, revokeDue, rotateCredentials, rotationWanted } from './rotation.js';
import { driftReportStatus, workingStatus } from './status.js';

/** The stage a failure is attributed to; the pass updates it as it goes. */
export interface Progress {
  stage: FailureStage;
  step?: string;
}

/** The driver's view of the instance, at its current credential. */
export function driverInstance(pass: Pass, product: ProductVersion): DriverInstance {
  const { id, teamName, name, externalName, product: productName, plan, inputs, workload } = pass.instance;
  return {
    id, team: teamName, name, externalName, product: productName, plan,
    values: resolveInstanceValues(product.manifest, plan, inputs),
    rotation: pass.claimed.engine.rotation,
    ...(workload === undefined ? {} : { workload: { service: workload.service, environment: workload.environment } }),
  };
}

/**
 * observe → plan → apply → record, for an instance that is not being deleted. With nothing to
 * apply, the pass serves a pending rotation, then a due revocation, then re-runs contract
 * checks that did not pass last time; a plain drift pass runs none of them.
 */
export async function reconcileLive(pass: Pass, resolved: Resolved, progress: Progress): Promise<void> {
  const { product, driver, target } = resolved;
  const { id } = pass.instance;
  const engine = pass.claimed.engine;

  progress.stage = 'prepare';
  const instance = driverInstance(pass, product);
  const generated = await ensureGeneratedSecrets(pass.deps.secrets, id, driver.secrets, undefined, engine.rotation);
  const ctx: DriverContext = { instance, target, secrets: generated, signal: pass.lease.signal, logger: pass.deps.logger };

  progress.stage = 'observe';
  pass.assertLease();
  const observation = await driver.observe(ctx);
  // Only an existing resource needs the answer (a missing one is created either way): saves a read per create.
  const hasCredentials = observation.exists && (await pass.deps.secrets.get(id, CREDENTIALS)) !== undefined;
  const plan = planReconcile(
    {
      generation: pass.instance.generation,
      observedGeneration: pass.instance.observedGeneration,
      // A rotate/revoke intent is resumed by the rotation steps below, not by an update.
      pendingAction: engine.pendingAction === 'create' || engine.pendingAction === 'update' ? engine.pendingAction : null,
      hasCredentials,
      drift: product.manifest.spec.drift ?? 'repair',
      phase: pass.instance.status.phase,
    },
    observation,
  );
  pass.deps.logger.debug({ instanceId: id, action: plan.action, reason: plan.reason }, 'planned');

  switch (plan.action) {
    case 'create':
    case 'update':
      progress.stage = plan.action;
      return applyChange(pass, resolved, ctx, plan, progress);
    case 'report-drift':
      return recordDriftReport(pass, plan, observation);
    case 'none':
      if (rotationWanted(pass)) return rotateCredentials(pass, resolved, ctx, progress);
      if (revocationDue(pass)) return revokeDue(pass, resolved, ctx, progress);
      if (checksOwed(pass, product)) return recheck(pass, resolved, ctx, progress);
      return recordReady(pass, { plan });
  }
}

/** The product declares checks and they did not pass last time (or never ran, e.g. after a failure). */
function checksOwed(pass: Pass, product: ProductVersion): boolean {
  if ((product.manifest.spec.checks ?? []).length === 0) return false;
  return !hasCondition(pass.previous.conditions, { type: 'ContractChecks', status: 'True', reason: 'ChecksPassed' });
}

async function recheck(pass: Pass, resolved: Resolved, ctx: DriverContext, progress: Progress): Promise<void> {
  progress.stage = 'check';
  const secret = (await pass.deps.secrets.get(pass.instance.id, CREDENTIALS)) ?? {};
  const checks = await runChecks(pass, resolved, ctx.instance, { ...pass.instance.outputs, ...secret });
  if (checks.failed !== undefined) return recordChecksFailed(pass, resolved, { results: checks.results, failed: checks.failed });
  await recordReady(pass, { checks: checks.results });
}

async function applyChange(pass: Pass, resolved: Resolved, ctx: DriverContext, plan: ReconcilePlan, progress: Progress): Promise<void> {
  const action = plan.action as 'create' | 'update';
  const { driver, target, product } = resolved;

  // Intent before side effect: once this is stored, a crash during the driver call is
  // resumed by observing, never by guessing whether the call happened.
  const working = workingStatus(pass.previous, action, pass.subject(target.name), pass.nowIso());
  if (sameStatus(pass.previous, working)) await pass.recordEngineState({ pendingAction: action });
  else await pass.recordStatus({ status: working, engine: { pendingAction: action } });
  pass.crashPoint(`${action}:after-intent`);

  pass.assertLease();
  const result = await pass.deps.gate.run(target, () => (action === 'create' ? driver.create(ctx) : driver.update(ctx)));
  pass.assertLease();
  pass.crashPoint(`${action}:after-driver`);

  const { plain, secret } = splitOutputs(result.outputs, product.manifest.spec.outputs);
  // Stored even when empty: its presence is how the next pass knows this step completed.
  await pass.deps.secrets.put(pass.instance.id, CREDENTIALS, secret);
  pass.crashPoint(`${action}:after-secrets`);

  progress.stage = 'check';
  const checks = await runChecks(pass, resolved, ctx.instance, result.outputs);
  if (checks.failed !== undefined) return recordChecksFailed(pass, resolved, { results: checks.results, failed: checks.failed }, plain);
  await recordReady(pass, { outputs: plain, plan, checks: checks.results });
}

async function recordDriftReport(pass: Pass, plan: ReconcilePlan, observation: Observation): Promise<void> {
  const reason = plan.reason === 'Drifted' ? 'Drifted' : 'ResourceMissing';
  const status = driftReportStatus(pass.previous, { reason, message: plan.message }, observation.exists, pass.subject(), pass.nowIso());
  const alreadyReported = pass.previous.conditions.some((c) => c.type === 'Synced' && c.status === 'False' && c.reason === plan.reason);
  const events: NewEvent[] = [];
  if (!alreadyReported) events.push(pass.event('instance.drifted', { reason: plan.reason, message: plan.message, diff: observation.diff, mode: 'report' }));
  if (status.phase === 'Failed' && pass.previous.phase !== 'Failed') {
    events.push(pass.event('instance.failed', { reason: 'ResourceMissing', message: plan.message }));
  }
  await pass.recordStatus({
    status,
    engine: { pendingAction: null, attempts: 0, dueAt: followUpDueAt(pass, rotationState(pass)) },
    events,
  });
}
