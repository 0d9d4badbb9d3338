import type { DeletionStep, DriverContext } from '@paved/driver-api';
import { accountExists, deleteAccount } from './account.js';
import { adminConnectOptions, tenantAdminConnectOptions, withConnection } from './connections.js';
import { wrapNatsError } from './errors.js';
import { accountKey } from './keys.js';
import { deleteStream, jsm } from './stream.js';
import { readTargetConfig } from './target-config.js';

/**
 * The deletion ladder. The stream goes first: deleting an account does not delete its stream
 * files, which would stay on disk with nobody able to reach them (trap (a) of
 * docs/drivers/nats.md). Then the account, which refuses every user of it, whatever credential
 * it was issued. Each rung checks before it acts, so it can be repeated and resumed.
 */
export function deletionSteps(): DeletionStep[] {
  const rung = (name: string, run: (ctx: DriverContext) => Promise<void>): DeletionStep => ({
    name,
    async run(ctx) {
      ctx.signal.throwIfAborted();
      try {
        await run(ctx);
      } catch (error) {
        throw wrapNatsError(error, name, ctx.instance.externalName);
      }
    },
  });

  return [
    rung('delete-stream', async (ctx) => {
      const config = readTargetConfig(ctx.target);
      const name = ctx.instance.externalName;
      if (config.mode === 'shared') {
        await withConnection(adminConnectOptions(config), async (nc) => deleteStream(await jsm(nc), name));
        return;
      }
      const account = accountKey(config, name);
      // Without the account there is no way in, and nothing of its stream is left to reach.
      if (!(await withConnection(adminConnectOptions(config), (sys) => accountExists(sys, account.publicKey)))) return;
      await withConnection(tenantAdminConnectOptions(config, account), async (nc) => deleteStream(await jsm(nc), name));
    }),
    rung('delete-account', async (ctx) => {
      const config = readTargetConfig(ctx.target);
      if (config.mode === 'shared') return;
      const account = accountKey(config, ctx.instance.externalName).publicKey;
      await withConnection(adminConnectOptions(config), async (sys) => {
        if (await accountExists(sys, account)) await deleteAccount(sys, config.operatorKey, account, ctx.instance.externalName);
      });
    }),
  ];
}
