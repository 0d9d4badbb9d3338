import type { RotationContext } from '@paved/driver-api';
import { credentialName } from '@paved/driver-api';
import type { TargetConnection } from './admin-clients.js';
import { assertExternalName } from './acl-rules.js';
import { persistAcl } from './persistence.js';
import { wrapRedisError } from './redis-errors.js';

/**
 * Removes the user of credential `previousRotation`. One user per credential (not several
 * passwords on one user) is what makes this exact: ACL DELUSER refuses the old password and
 * disconnects exactly the sessions opened with it, while the new credential's sessions go on.
 * The current credential is never removed here, whatever the caller asks.
 */
export async function revoke(connection: TargetConnection, ctx: RotationContext): Promise<void> {
  const externalName = assertExternalName(ctx.instance);
  const current = ctx.instance.rotation ?? 0;
  if (ctx.previousRotation === current) return;
  const user = credentialName(externalName, ctx.previousRotation);
  ctx.signal.throwIfAborted();
  try {
    await connection.redis.call('ACL', 'DELUSER', user);
    ctx.signal.throwIfAborted();
    await persistAcl(connection);
  } catch (error) {
    throw wrapRedisError(error, 'revoke', user, [], connection.whyDown());
  }
}
