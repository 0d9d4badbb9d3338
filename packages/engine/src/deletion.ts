import { InternalError } from '@paved/model';
import { sameStatus } from './conditions.js';
import type { Run, StepEnd } from './apply.js';
import { deletingStatus } from './status.js';

/**
 * The deletion ladder, one planned step at a time. Crash points, in order, for each step S:
 * the step name is recorded (intent), then `delete:before:S`, the step, `delete:after:S`;
 * finally `delete:before-forget`. A pass that finds a recorded step re-runs it (the plan
 * starts there): it may have started, and steps are idempotent. Secrets are kept until
 * forgetInstance removes them with the row, so a step that needs the password (revoking a
 * login) still has it after a crash.
 */
export async function runDeletionStep(run: Run, name: string): Promise<StepEnd> {
  const { pass, resolved: { driver, target } } = run;
  await markDeleting(run);
  run.progress.stage = 'delete';
  run.progress.step = name;
  const step = driver.deletion.find((candidate) => candidate.name === name);
  // The plan was made from this very driver's ladder.
  if (step === undefined) throw new InternalError(`the plan runs deletion step "${name}", which driver "${driver.type}" does not have`);
  await pass.recordEngineState({ deletionStep: name });
  pass.crashPoint(`delete:before:${name}`);
  pass.assertLease();
  await pass.deps.gate.run(target, () => step.run(run.ctx));
  pass.crashPoint(`delete:after:${name}`);
  return 'next';
}

/** The row, its secrets and an `instance.deleted` event go in one transaction (store.forgetInstance). */
export async function forget(run: Run): Promise<StepEnd> {
  const { pass } = run;
  await markDeleting(run);
  run.progress.stage = 'delete';
  run.progress.step = 'forget';
  pass.crashPoint('delete:before-forget');
  await pass.forget();
  pass.deps.logger.info({ instanceId: pass.instance.id }, 'instance deleted');
  return 'recorded';
}

/** Status Deleting before the first deletion step, unless it says so already. */
async function markDeleting(run: Run): Promise<void> {
  const { pass } = run;
  const status = deletingStatus(pass.previous, pass.subject(run.resolved.target.name), pass.nowIso());
  if (run.deletingRecorded || sameStatus(pass.previous, status)) return;
  await pass.recordStatus({ status, engine: {} });
  run.deletingRecorded = true;
}
