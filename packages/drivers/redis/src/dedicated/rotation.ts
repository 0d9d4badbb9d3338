/**
 * Rotation on a dedicated server. Clients that send only a password log in as the `default`
 * user, so credentials are passwords of that one user, not users of their own: `rotate` adds
 * the new password (provision.ts, which never removes one) and `revoke` leaves the current one
 * only. Redis does not record which password a connection logged in with, so revoke closes every
 * connection of the tenant's user: clients reconnect with the password they hold, which works if
 * it is the new one, as it must be by the end of the grace period.
 */
import { writeFile } from 'node:fs/promises';
import { requireSecret, type RotationContext } from '@paved/driver-api';
import { assertExternalName, passwordHash } from '../acl-rules.js';
import { wrapRedisError } from '../redis-errors.js';
import { withAdmin } from './admin.js';
import { TENANT_USER, renderAcl } from './conf-file.js';
import { claimedPort, filesOf, readAdminSecret } from './layout.js';
import { runningPid } from './process.js';
import { readServersConfig } from './servers-config.js';

export async function revokeOnServer(ctx: RotationContext): Promise<void> {
  const externalName = assertExternalName(ctx.instance);
  if (ctx.previousRotation === (ctx.instance.rotation ?? 0)) return;
  const config = readServersConfig(ctx.target);
  const files = filesOf(config, externalName);
  const password = requireSecret('redis', ctx, 'password');
  ctx.signal.throwIfAborted();
  try {
    const [port, admin, pid] = [await claimedPort(config, externalName), await readAdminSecret(files), await runningPid(files)];
    if (port === undefined || admin === undefined) return; // nothing was made: nothing to revoke
    if (pid === undefined) {
      // Stopped: it will start from the aclfile, which then holds the current password only.
      await writeFile(files.acl, renderAcl([passwordHash(password)], passwordHash(admin)), { mode: 0o600 });
      return;
    }
    await withAdmin(config, port, admin, async (redis) => {
      await redis.call('ACL', 'SETUSER', TENANT_USER, 'resetpass', `#${passwordHash(password)}`);
      await redis.call('ACL', 'SAVE');
      await redis.call('CLIENT', 'KILL', 'USER', TENANT_USER);
    });
  } catch (error) {
    throw wrapRedisError(error, 'revoke', externalName, [password]);
  }
}

