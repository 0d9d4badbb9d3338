import { DriverError } from '@paved/model';
import { credentialName, type ApplyResult, type RotationContext } from '@paved/driver-api';
import type { ManagementApi } from './management-api.js';
import { provision } from './provision.js';

/**
 * Issues credential `rotation` as a second user with the same rights on the vhost; the
 * previous user keeps working until `revoke`. It is the create walk for the new user, so it is
 * idempotent and also repairs the vhost.
 */
export async function rotate(api: ManagementApi, ctx: RotationContext): Promise<ApplyResult> {
  sameRotationGuard(ctx, 'rotate');
  return provision(api, ctx);
}

/**
 * Removes credential `previousRotation`. DELETE /api/users also closes that user's live AMQP
 * connections (the broker does it; the rotation test proves it), so nothing keeps working on
 * the old password after the grace period.
 */
export async function revoke(api: ManagementApi, ctx: RotationContext): Promise<void> {
  sameRotationGuard(ctx, 'revoke');
  ctx.signal.throwIfAborted();
  await api.deleteUser('revoke', credentialName(ctx.instance.externalName, ctx.previousRotation));
}

function sameRotationGuard(ctx: RotationContext, step: string): void {
  const current = ctx.instance.rotation ?? 0;
  if (ctx.previousRotation === current) {
    // Revoking the current credential would lock the tenant out: refuse, never retry.
    throw new DriverError(`rabbitmq: ${step} for "${ctx.instance.externalName}": previous rotation ${current} is the current one`, {
      code: 'rotation_invalid',
      retryable: false,
      issues: [{ path: 'previousRotation', message: 'must differ from instance.rotation' }],
    });
  }
}
