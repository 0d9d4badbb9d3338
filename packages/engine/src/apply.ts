import type { DriverContext, DriverInstance, Observation } from '@paved/driver-api';
import { resolveInstanceValues, type ProductVersion } from '@paved/model';
import type { NewEvent } from '@paved/store';
import { sameStatus } from './conditions.js';
import { CREDENTIALS, ensureGeneratedSecrets, splitOutputs } from './outputs.js';
import type { Pass, Resolved } from './pass.js';
import { planReconcile, type ReconcilePlan } from './plan.js';
import { driftReportStatus, readyStatus, workingStatus } from './status.js';

/** The stage a failure is attributed to; the pass updates it as it goes. */
export interface Progress {
  stage: 'prepare' | 'observe' | 'create' | 'update' | 'delete';
  step?: string;
}

export function driverInstance(pass: Pass, product: ProductVersion): DriverInstance {
  const { id, teamName, name, externalName, product: productName, plan, inputs } = pass.instance;
  return { id, team: teamName, name, externalName, product: productName, plan, values: resolveInstanceValues(product.manifest, plan, inputs) };
}

/** observe → plan → apply → record, for an instance that is not being deleted. */
export async function reconcileLive(pass: Pass, resolved: Resolved, progress: Progress): Promise<void> {
  const { product, driver, target } = resolved;
  const { id } = pass.instance;

  progress.stage = 'prepare';
  const instance = driverInstance(pass, product);
  const generated = await ensureGeneratedSecrets(pass.deps.secrets, id, driver.secrets);
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
      pendingAction: pass.claimed.engine.pendingAction,
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
      return applyChange(pass, resolved, ctx, plan);
    case 'report-drift':
      return recordDriftReport(pass, plan, observation);
    case 'none':
      return recordReady(pass, undefined, plan);
  }
}

async function applyChange(pass: Pass, resolved: Resolved, ctx: DriverContext, plan: ReconcilePlan): Promise<void> {
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

  await recordReady(pass, plain, plan);
}

async function recordReady(pass: Pass, outputs: Record<string, string> | undefined, plan: ReconcilePlan): Promise<void> {
  const now = pass.now();
  const status = readyStatus(pass.previous, pass.subject(), pass.nowIso());
  const events: NewEvent[] = [];
  if (pass.previous.readyAt === undefined) {
    events.push(pass.event('instance.ready', { timeToReadyMs: Math.max(0, now - Date.parse(pass.instance.createdAt)) }));
  }
  if (plan.drifted && plan.action !== 'none') {
    events.push(pass.event('instance.drifted', { reason: plan.reason, message: plan.message }));
    events.push(pass.event('instance.repaired', { reason: plan.reason }));
  }
  await pass.recordStatus({
    status,
    ...(outputs === undefined ? {} : { outputs }),
    observedGeneration: pass.instance.generation,
    engine: { pendingAction: null, attempts: 0, dueAt: now + pass.deps.driftIntervalMs },
    events,
  });
}

async function recordDriftReport(pass: Pass, plan: ReconcilePlan, observation: Observation): Promise<void> {
  const status = driftReportStatus(pass.previous, plan, observation.exists, pass.subject(), pass.nowIso());
  const alreadyReported = pass.previous.conditions.some((c) => c.type === 'Synced' && c.status === 'False' && c.reason === plan.reason);
  const events: NewEvent[] = [];
  if (!alreadyReported) events.push(pass.event('instance.drifted', { reason: plan.reason, message: plan.message, diff: observation.diff, mode: 'report' }));
  if (status.phase === 'Failed' && pass.previous.phase !== 'Failed') {
    events.push(pass.event('instance.failed', { reason: 'ResourceMissing', message: plan.message }));
  }
  await pass.recordStatus({
    status,
    engine: { pendingAction: null, attempts: 0, dueAt: pass.now() + pass.deps.driftIntervalMs },
    events,
  });
}
