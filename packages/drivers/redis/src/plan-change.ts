/**
 * An instance moved between a shared prefix and a dedicated server (a plan change) would leave
 * its old credentials and data where they were, and start empty where it goes. Paved does not
 * move data, so the driver refuses the move; deleting the instance removes what its mode made.
 */
import { stat } from 'node:fs/promises';
import { DriverError } from '@paved/model';
import { isCredentialName, type DriverContext } from '@paved/driver-api';
import type { TargetConnection } from './admin-clients.js';
import { filesOf } from './dedicated/layout.js';
import { hasServers, isDedicated, readServersConfig } from './dedicated/servers-config.js';

export async function refusePlanChange(ctx: DriverContext, shared: () => TargetConnection): Promise<void> {
  const name = ctx.instance.externalName;
  let left: string | undefined;
  if (isDedicated(ctx.instance)) {
    if (ctx.target.config.url !== undefined) {
      const users = (await shared().redis.call('ACL', 'USERS')) as string[];
      if (users.some((user) => isCredentialName(name, user))) left = 'a key prefix on the shared server';
    }
  } else if (hasServers(ctx.target)) {
    if (await stat(filesOf(readServersConfig(ctx.target), name).dir).then(() => true, () => false)) left = 'a dedicated server';
  }
  if (left !== undefined) {
    throw new DriverError(`redis: "${name}" already has ${left}; a plan cannot move an instance between a shared prefix and a dedicated server (its data would stay behind): create a new instance with the plan you want and copy the data`, {
      code: 'plan_change_unsupported',
      retryable: false,
      issues: [{ path: 'plan', message: 'cannot move between a shared prefix and a dedicated server' }],
    });
  }
}
