import type { DriverContext } from '@paved/driver-api';
import { sameStatus } from './conditions.js';
import { driverInstance, type Progress } from './apply.js';
import { generatedSecretsName } from './outputs.js';
import type { Pass, Resolved } from './pass.js';
import { deletingStatus } from './status.js';

/**
 * Runs the driver's deletion ladder from the recorded step, then forgets the instance.
 *
 * Crash points, in order, for each step S: the step name is recorded (intent), then
 * `delete:before:S`, the step, `delete:after:S`; finally `delete:before-forget`. A pass that
 * finds a recorded step re-runs it: it may have started, and steps are idempotent. Secrets
 * are kept until forgetInstance removes them with the row, so a step that needs the password
 * (revoking a login) still has it after a crash.
 */
export async function reconcileDeletion(pass: Pass, resolved: Resolved, progress: Progress): Promise<void> {
  const { driver, target, product } = resolved;
  progress.stage = 'prepare';
  // The current credential's values; the driver's ladder removes every credential whatever the rotation.
  const generated = (await pass.deps.secrets.get(pass.instance.id, generatedSecretsName(pass.claimed.engine.rotation))) ?? {};
  const ctx: DriverContext = {
    instance: driverInstance(pass, product),
    target,
    secrets: generated,
    signal: pass.lease.signal,
    logger: pass.deps.logger,
  };

  const status = deletingStatus(pass.previous, pass.subject(target.name), pass.nowIso());
  if (!sameStatus(pass.previous, status)) await pass.recordStatus({ status, engine: {} });

  const steps = driver.deletion;
  const recorded = pass.claimed.engine.deletionStep;
  // A step name the driver no longer has (driver upgraded mid-deletion): start over; it is safe.
  const start = Math.max(0, recorded === null ? 0 : steps.findIndex((step) => step.name === recorded));

  progress.stage = 'delete';
  for (const step of steps.slice(start)) {
    progress.step = step.name;
    await pass.recordEngineState({ deletionStep: step.name });
    pass.crashPoint(`delete:before:${step.name}`);
    pass.assertLease();
    await pass.deps.gate.run(target, () => step.run(ctx));
    pass.crashPoint(`delete:after:${step.name}`);
  }

  pass.crashPoint('delete:before-forget');
  await pass.forget();
  pass.deps.logger.info({ instanceId: pass.instance.id }, 'instance deleted');
}
