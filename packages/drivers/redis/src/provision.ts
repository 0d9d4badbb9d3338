import { requireSecret, type ApplyResult, type DriverContext } from '@paved/driver-api';
import type { TargetConnection } from './admin-clients.js';
import { assertExternalName, currentUser, passwordHash, setUserArgs } from './acl-rules.js';
import { persistAcl } from './persistence.js';
import { wrapRedisError } from './redis-errors.js';
import { allOutputs } from './outputs.js';

/**
 * Create, update and rotate are the same walk: make the current credential's user exactly what
 * Paved wants, then persist. `ACL SETUSER … reset …` replaces the whole user in one atomic
 * command, so a retry after a crash anywhere converges, and the password is reset every time
 * (the secret store holds the only copy of the truth). Users of other rotations are not touched:
 * during a rotation's grace period the previous credential must keep working.
 */
export async function provision(connection: TargetConnection, ctx: DriverContext): Promise<ApplyResult> {
  const externalName = assertExternalName(ctx.instance);
  const user = currentUser(ctx.instance);
  const password = requireSecret('redis', ctx, 'password');
  const redact = [password, passwordHash(password)];

  const step = async (stepName: string, run: () => Promise<unknown>) => {
    // Between steps is where a crash (or a cancelled reconcile) may stop us.
    ctx.signal.throwIfAborted();
    try {
      await run();
    } catch (error) {
      throw wrapRedisError(error, stepName, user, redact, connection.whyDown());
    }
  };

  // Only the SHA-256 of the password reaches the server (MONITOR and the aclfile see the hash).
  await step('ensure-user', () => connection.redis.call('ACL', ...setUserArgs(user, externalName, password)));
  await step('persist-acl', () => persistAcl(connection));

  return { outputs: allOutputs(connection.config, externalName, user, password) };
}
