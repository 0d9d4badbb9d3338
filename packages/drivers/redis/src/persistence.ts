import { DriverError } from '@paved/model';
import type { TargetConnection } from './admin-clients.js';

/**
 * Writes the in-memory ACL to where the server reads it at start. Users live only in memory
 * until then, so every change is followed by this; it is a second, non-atomic step, and a crash
 * in between is repaired by running create (or the deletion step) again, which persists anew.
 * ACL SAVE rewrites the whole aclfile (≈0.5–2 ms); CONFIG REWRITE rewrites redis.conf.
 */
export async function persistAcl(connection: TargetConnection): Promise<void> {
  const facts = await connection.facts();
  switch (facts.persistence) {
    case 'aclfile':
      if (facts.aclfile === '') throw notPersistable(connection, "config.aclPersistence is 'aclfile' but the server has no aclfile");
      await connection.redis.call('ACL', 'SAVE');
      return;
    case 'config-rewrite':
      if (facts.aclfile !== '') throw notPersistable(connection, "config.aclPersistence is 'config-rewrite' but the server uses an aclfile (use 'aclfile')");
      if (facts.configFile === '') throw notPersistable(connection, "config.aclPersistence is 'config-rewrite' but the server was started without a config file");
      await connection.redis.call('CONFIG', 'REWRITE');
      return;
    case 'none':
      // Accepted by the operator (or detected): users are lost when the server restarts, and the
      // engine's drift check recreates them. Preflight warns about it.
      return;
  }
}

function notPersistable(connection: TargetConnection, message: string): DriverError {
  return new DriverError(`redis target ${connection.config.admin.display}: ${message}`, {
    code: 'target_config_invalid',
    retryable: false,
    issues: [{ path: 'config.aclPersistence', message }],
  });
}
