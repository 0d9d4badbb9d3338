import { InternalError } from '@paved/model';
import type { DriverStep } from './plan.js';
import type { Run, StepEnd } from './apply.js';
import { CREDENTIALS, ensureGeneratedSecrets, generatedSecretsName, splitOutputs } from './outputs.js';
import { rotationUnsupportedStatus } from './status.js';

/**
 * Issues credential n beside the current one (n-1). Order of writes (crash points in
 * brackets): new generated secrets stored as 'generated@n' → intent `pendingAction: rotate` →
 * [rotate:after-intent] → driver.rotate → [rotate:after-driver] → `credentials` replaced. The
 * pass's final write (after the contract checks) records rotation = n and the revocation of
 * n-1 at now + grace. Until then the recorded rotation is still n-1, so a crash anywhere is
 * resumed by rotating again: the same secrets (already stored), and driver.rotate is idempotent.
 */
export async function rotate(run: Run, step: Extract<DriverStep, { kind: 'rotate' }>): Promise<StepEnd> {
  const { pass, resolved: { driver, target, product } } = run;
  const rotateCall = driver.rotate;
  if (rotateCall === undefined) throw new InternalError(`the plan rotates credentials, but driver "${driver.type}" cannot`);
  run.progress.stage = 'rotate';
  const { id } = pass.instance;
  const current = run.ctx;
  const next = step.rotation;
  const previous = next - 1;

  const secrets = await ensureGeneratedSecrets(pass.secrets, id, driver.secrets, undefined, next);
  await pass.recordEngineState({ pendingAction: 'rotate' });
  pass.crashPoint('rotate:after-intent');

  const instance = { ...current.instance, rotation: next };
  pass.assertLease();
  const result = await pass.deps.gate.run(target, () =>
    rotateCall({ ...current, instance, secrets, previousSecrets: current.secrets, previousRotation: previous }),
  );
  pass.assertLease();
  pass.crashPoint('rotate:after-driver');

  const { plain, secret } = splitOutputs(result.outputs, product.manifest.spec.outputs, product.manifest.spec.score?.openOutputs === true);
  await pass.secrets.put(id, CREDENTIALS, secret);

  const revokeAt = pass.now() + step.gracePeriodMs;
  run.ctx = { ...current, instance, secrets };
  run.outputs = result.outputs;
  run.plain = plain;
  run.secretKeys = Object.keys(secret);
  // New credentials: earlier check results do not speak for them (a run-checks step follows if the product has checks).
  run.checks = [];
  run.engine = { ...run.engine, rotation: next, revokeRotation: previous, revokeAt };
  run.events.push(pass.event('credentials.rotated', { rotation: next, previousRotation: previous, previousRevokeAt: new Date(revokeAt).toISOString() }));
  pass.deps.logger.info({ instanceId: id, rotation: next }, 'new credential issued');
  return 'next';
}

/**
 * Intent `pendingAction: revoke` → [revoke:after-intent] → driver.revoke → the retired
 * credential's generated secrets deleted → the revocation recorded at once (whatever a later
 * step does, that credential is gone). A crash before the record re-runs all of it: revoke is
 * idempotent and needs no secret of the retired credential.
 */
export async function revoke(run: Run, step: Extract<DriverStep, { kind: 'revoke' }>): Promise<StepEnd> {
  const { pass, resolved: { driver, target } } = run;
  run.progress.stage = 'revoke';
  const retired = step.previousRotation;
  const name = generatedSecretsName(retired);
  await pass.recordEngineState({ pendingAction: 'revoke' });
  pass.crashPoint('revoke:after-intent');
  const previousSecrets = (await pass.secrets.get(pass.instance.id, name)) ?? {};
  const revokeCall = driver.revoke;
  // A driver that lost `revoke` since the rotation (an upgrade) has nothing to call; the secrets still go.
  if (revokeCall !== undefined) {
    pass.assertLease();
    await pass.deps.gate.run(target, () => revokeCall({ ...run.ctx, previousSecrets, previousRotation: retired }));
    pass.assertLease();
  }
  await pass.deps.store.deleteSecret(pass.instance.id, name);

  const engine = { pendingAction: null, revokeRotation: null, revokeAt: null };
  await pass.recordStatus({
    status: pass.previous,
    engine,
    events: [pass.event('credentials.revoked', { rotation: retired, ...(step.early ? { early: true } : {}) })],
  });
  run.engine = { ...run.engine, ...engine };
  pass.deps.logger.info({ instanceId: pass.instance.id, rotation: retired }, 'previous credential revoked');
  return 'next';
}

/** The driver cannot rotate: say so on Synced and drop the request (the API refuses it up front anyway). */
export async function dropRotation(run: Run): Promise<StepEnd> {
  const { pass, resolved } = run;
  const status = rotationUnsupportedStatus(pass.previous, resolved.driver.type, pass.subject(resolved.target.name), pass.nowIso());
  await pass.recordStatus({ status, engine: { desiredRotation: pass.claimed.engine.rotation, pendingAction: null, attempts: 0, dueAt: pass.now() + pass.deps.driftIntervalMs } });
  return 'recorded';
}
