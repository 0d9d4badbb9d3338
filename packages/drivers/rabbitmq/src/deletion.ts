import { isCredentialName, type DeletionStep, type DriverContext } from '@paved/driver-api';
import type { ManagementApi } from './management-api.js';
import { vhostName } from './names.js';

type Connect = (ctx: DriverContext) => ManagementApi;

/**
 * The deletion ladder. Each rung is idempotent (DELETE of a missing object answers 404, taken
 * as done). Users go first, every rotation of them, so nothing new can log in while the vhost
 * goes; the broker closes a deleted user's connections itself, and deleting the vhost closes
 * whatever is still open on it and drops its queues and exchanges.
 */
export function deletionSteps(connect: Connect): DeletionStep[] {
  return [
    {
      name: 'delete-users',
      async run(ctx) {
        ctx.signal.throwIfAborted();
        const api = connect(ctx);
        const externalName = ctx.instance.externalName;
        // Listed rather than derived from the current rotation: a crash or a rotation without
        // its revoke may have left older logins (externalName_r<n>) behind.
        const users = await api.listUserNames('delete-users', externalName);
        for (const user of users) {
          if (user !== api.config.adminUser && isCredentialName(externalName, user)) await api.deleteUser('delete-users', user);
        }
      },
    },
    {
      name: 'delete-vhost',
      async run(ctx) {
        ctx.signal.throwIfAborted();
        await connect(ctx).deleteVhost('delete-vhost', vhostName(ctx.instance.externalName));
      },
    },
  ];
}
