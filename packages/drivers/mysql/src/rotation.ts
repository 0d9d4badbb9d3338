import { DriverError } from '@paved/model';
import { credentialName, type RotationContext } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';
import { credentialAccounts, dropAccounts, killSessions } from './accounts.js';
import { wrapMysqlError } from './mysql-errors.js';
import { wantedResource } from './spec.js';

/**
 * Removes credential `previousRotation`: its login (on every host), then its live sessions,
 * which DROP USER leaves running. Idempotent. Refuses to touch the current credential.
 */
export async function revoke(connection: TargetConnection, ctx: RotationContext): Promise<void> {
  const { database } = wantedResource(ctx);
  const current = ctx.instance.rotation ?? 0;
  const previous = ctx.previousRotation;
  if (!Number.isInteger(previous) || previous < 0 || previous === current) {
    throw new DriverError(`mysql: cannot revoke credential ${previous} of "${database}": it is not a previous credential (current is ${current})`, {
      code: 'invalid_value',
      retryable: false,
      issues: [{ path: 'previousRotation', message: 'must be a non-negative integer other than the current rotation' }],
    });
  }
  const retired = credentialName(database, previous);
  ctx.signal.throwIfAborted();
  try {
    const accounts = (await credentialAccounts(connection.pool, database)).filter((account) => account.user === retired);
    await dropAccounts(connection.pool, accounts);
    ctx.signal.throwIfAborted();
    await killSessions(connection.pool, (user) => user === retired, retired);
  } catch (error) {
    throw wrapMysqlError(error, 'revoke', database);
  }
}
