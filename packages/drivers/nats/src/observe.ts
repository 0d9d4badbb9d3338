import type { DriverContext, Observation } from '@paved/driver-api';
import { accountDiff, lookupAccount } from './account.js';
import { adminConnectOptions, tenantAdminConnectOptions, withConnection } from './connections.js';
import { wrapNatsError } from './errors.js';
import { instanceKeys } from './keys.js';
import { operatorPublicOutputs, sharedOutputs } from './provision.js';
import { jsm, streamConfig, streamDiff, streamInfo } from './stream.js';
import { readTargetConfig } from './target-config.js';
import { readValues } from './values.js';

/** What exists for the instance and how it differs from its spec. Reads only. */
export async function observe(ctx: DriverContext): Promise<Observation> {
  const config = readTargetConfig(ctx.target);
  const name = ctx.instance.externalName;
  const values = readValues(ctx.instance.values);
  const wanted = streamConfig(name, values);
  try {
    if (config.mode === 'shared') {
      const info = await withConnection(adminConnectOptions(config), async (nc) => streamInfo(await jsm(nc), name));
      if (!info) return { exists: false, upToDate: false, diff: [`stream "${name}" does not exist`] };
      const diff = streamDiff(info.config, wanted);
      return { exists: true, upToDate: diff.length === 0, diff, outputs: sharedOutputs(config, name) };
    }
    const keys = instanceKeys(config, name, ctx.secrets);
    const claims = await withConnection(adminConnectOptions(config), (sys) => lookupAccount(sys, keys.account.publicKey));
    if (!claims) return { exists: false, upToDate: false, diff: [`account for "${name}" does not exist`] };
    const diff = accountDiff(claims, values, keys.signing);
    const info = await withConnection(tenantAdminConnectOptions(config, keys.account), async (nc) => streamInfo(await jsm(nc), name));
    diff.push(...(info ? streamDiff(info.config, wanted) : [`stream "${name}" does not exist in its account`]));
    return { exists: true, upToDate: diff.length === 0, diff, outputs: operatorPublicOutputs(config, name, keys.account.publicKey, keys.user.publicKey) };
  } catch (error) {
    throw wrapNatsError(error, 'observe', name);
  }
}
