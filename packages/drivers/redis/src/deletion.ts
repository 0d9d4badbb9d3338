import { isCredentialName, type DeletionStep, type DriverContext } from '@paved/driver-api';
import type { TargetConnection } from './admin-clients.js';
import { assertExternalName, keyPrefix } from './acl-rules.js';
import { persistAcl } from './persistence.js';
import { wrapRedisError } from './redis-errors.js';
import { hasServers, isDedicated } from './dedicated/servers-config.js';
import { releaseInstancePort, removeInstanceFiles, stopInstanceServer } from './dedicated/deletion.js';

type Connect = (ctx: DriverContext) => TargetConnection;

/** SCAN COUNT per call: large enough to walk 100 k keys in ~100 calls, small enough not to block. */
const SCAN_COUNT = 1000;

/**
 * The deletion ladder, in order. Shared: users go first: ACL DELUSER also disconnects their live
 * sessions, so nothing can write new keys while the next rung removes them. Each rung is
 * idempotent and can be resumed after any crash.
 */
export function deletionSteps(connect: Connect): DeletionStep[] {
  const rung = (name: string, run: (connection: TargetConnection, externalName: string, ctx: DriverContext) => Promise<void>): DeletionStep => ({
    name,
    async run(ctx) {
      if (isDedicated(ctx.instance) && ctx.target.config.url === undefined) return;
      ctx.signal.throwIfAborted();
      const externalName = assertExternalName(ctx.instance);
      let connection: TargetConnection | undefined;
      try {
        connection = connect(ctx);
        await run(connection, externalName, ctx);
      } catch (error) {
        throw wrapRedisError(error, name, externalName, [], connection?.whyDown());
      }
    },
  });

  // The rungs of a dedicated server (dedicated/deletion.ts). The ladder is one list for the
  // driver, and every rung runs wherever the target could hold something of the instance,
  // whatever its plan says now: a refused plan change (plan-change.ts) still records the new
  // plan, and deleting that instance must remove what the old one made.
  const serverRung = (name: string, run: (ctx: DriverContext) => Promise<void>): DeletionStep => ({
    name,
    async run(ctx) {
      if (!isDedicated(ctx.instance) && !hasServers(ctx.target)) return;
      ctx.signal.throwIfAborted();
      try {
        await run(ctx);
      } catch (error) {
        throw wrapRedisError(error, name, assertExternalName(ctx.instance));
      }
    },
  });

  return [
    rung('delete-users', async (connection, externalName) => {
      // Every credential whatever rotation it is at: the name itself and every name_r<n>.
      const users = ((await connection.redis.call('ACL', 'USERS')) as string[]).filter((user) => isCredentialName(externalName, user));
      if (users.length > 0) await connection.redis.call('ACL', 'DELUSER', ...users);
      // Always, not only when something was deleted: a crash may have come between DELUSER and
      // the save, and the aclfile would bring the users back at the next restart.
      await persistAcl(connection);
    }),
    rung('delete-keys', async (connection, externalName, ctx) => {
      await unlinkPrefix(connection, keyPrefix(externalName), ctx.signal);
    }),
    serverRung('stop-server', stopInstanceServer),
    serverRung('remove-files', removeInstanceFiles),
    serverRung('release-port', releaseInstancePort),
  ];
}

/**
 * SCAN MATCH '<prefix>*' + UNLINK until the cursor comes back to 0. SCAN walks the whole
 * keyspace (the MATCH filters after reading), so this is O(all keys); UNLINK frees the memory
 * in the background. Interrupted, it simply starts again: what was unlinked is gone.
 */
async function unlinkPrefix(connection: TargetConnection, prefix: string, signal: AbortSignal): Promise<void> {
  let cursor = '0';
  do {
    signal.throwIfAborted();
    const [next, keys] = (await connection.redis.call('SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', String(SCAN_COUNT))) as [string, string[]];
    if (keys.length > 0) await connection.redis.call('UNLINK', ...keys);
    cursor = next;
  } while (cursor !== '0');
}
