import type { DriverContext, RotationContext } from '@paved/driver-api';
import type { Progress } from './apply.js';
import { gracePeriodMs } from './grace-period.js';
import { CREDENTIALS, ensureGeneratedSecrets, generatedSecretsName, splitOutputs } from './outputs.js';
import type { Pass, Resolved } from './pass.js';
import { recordChecksFailed, recordReady, rotationState, runChecks } from './record.js';
import { rotationUnsupportedStatus } from './status.js';

/** A rotation was asked for and not yet issued. */
export function rotationWanted(pass: Pass): boolean {
  const { rotation, desiredRotation } = pass.claimed.engine;
  return desiredRotation > rotation;
}

/** The previous credential's grace period is over. */
export function revocationDue(pass: Pass): boolean {
  const { revokeRotation, revokeAt } = pass.claimed.engine;
  return revokeRotation !== null && revokeAt !== null && revokeAt <= pass.now();
}

/**
 * Issues credential n = rotation + 1 beside the current one. Order of writes (crash points in
 * brackets): a previous credential still in its grace period is revoked first (at most two
 * work at once) → new generated secrets stored as 'generated@n' → intent `pendingAction:
 * rotate` → [rotate:after-intent] → driver.rotate → [rotate:after-driver] → `credentials`
 * replaced → contract checks with the new outputs → rotation = n, revoke n-1 at now + grace.
 * Until the last write the recorded rotation is still n-1, so a crash anywhere is resumed by
 * rotating again: the same secrets (already stored), and driver.rotate is idempotent.
 */
export async function rotateCredentials(pass: Pass, resolved: Resolved, current: DriverContext, progress: Progress): Promise<void> {
  const { driver, target, product } = resolved;
  const { id } = pass.instance;
  const rotate = driver.rotate;
  if (rotate === undefined || driver.revoke === undefined) {
    const status = rotationUnsupportedStatus(pass.previous, driver.type, pass.subject(target.name), pass.nowIso());
    const state = rotationState(pass);
    await pass.recordStatus({ status, engine: { desiredRotation: state.rotation, pendingAction: null, attempts: 0, dueAt: pass.now() + pass.deps.driftIntervalMs } });
    return;
  }

  progress.stage = 'rotate';
  const previous = pass.claimed.engine.rotation;
  const pending = pass.claimed.engine.revokeRotation;
  if (pending !== null) {
    await revokeCredential(pass, resolved, current, pending);
    await pass.recordStatus({
      status: pass.previous,
      engine: { revokeRotation: null, revokeAt: null },
      events: [pass.event('credentials.revoked', { rotation: pending, early: true })],
    });
  }

  const next = previous + 1;
  const secrets = await ensureGeneratedSecrets(pass.deps.secrets, id, driver.secrets, undefined, next);
  await pass.recordEngineState({ pendingAction: 'rotate' });
  pass.crashPoint('rotate:after-intent');

  const ctx: RotationContext = {
    ...current,
    instance: { ...current.instance, rotation: next },
    secrets,
    previousSecrets: current.secrets,
    previousRotation: previous,
  };
  pass.assertLease();
  const result = await pass.deps.gate.run(target, () => rotate(ctx));
  pass.assertLease();
  pass.crashPoint('rotate:after-driver');

  const { plain, secret } = splitOutputs(result.outputs, product.manifest.spec.outputs);
  await pass.deps.secrets.put(id, CREDENTIALS, secret);

  progress.stage = 'check';
  const checks = await runChecks(pass, resolved, ctx.instance, result.outputs);
  if (checks.failed !== undefined) return recordChecksFailed(pass, resolved, { results: checks.results, failed: checks.failed }, plain);

  const revokeAt = pass.now() + gracePeriodMs(product.manifest, pass.instance.plan);
  await recordReady(pass, {
    outputs: plain,
    checks: checks.results,
    engine: { rotation: next, revokeRotation: previous, revokeAt },
    events: [pass.event('credentials.rotated', { rotation: next, previousRotation: previous, previousRevokeAt: new Date(revokeAt).toISOString() })],
  });
  pass.deps.logger.info({ instanceId: id, rotation: next }, 'credentials rotated');
}

/** The grace period is over: revoke the previous credential, then forget its secrets. */
export async function revokeDue(pass: Pass, resolved: Resolved, current: DriverContext, progress: Progress): Promise<void> {
  const retired = pass.claimed.engine.revokeRotation;
  if (retired === null) return;
  progress.stage = 'revoke';
  await revokeCredential(pass, resolved, current, retired);
  await recordReady(pass, {
    engine: { revokeRotation: null, revokeAt: null },
    events: [pass.event('credentials.revoked', { rotation: retired })],
  });
  pass.deps.logger.info({ instanceId: pass.instance.id, rotation: retired }, 'previous credential revoked');
}

/**
 * Intent `pendingAction: revoke` → [revoke:after-intent] → driver.revoke → the retired
 * credential's generated secrets deleted. The caller then clears revokeRotation. A crash
 * before that re-runs all of it: revoke is idempotent and needs no secret of the retired one.
 */
async function revokeCredential(pass: Pass, resolved: Resolved, current: DriverContext, retired: number): Promise<void> {
  const revoke = resolved.driver.revoke;
  const name = generatedSecretsName(retired);
  await pass.recordEngineState({ pendingAction: 'revoke' });
  pass.crashPoint('revoke:after-intent');
  const previousSecrets = (await pass.deps.secrets.get(pass.instance.id, name)) ?? {};
  if (revoke !== undefined) {
    pass.assertLease();
    await pass.deps.gate.run(resolved.target, () => revoke({ ...current, previousSecrets, previousRotation: retired }));
    pass.assertLease();
  }
  await pass.deps.store.deleteSecret(pass.instance.id, name);
}
