import type { ApplyResult, DriverContext } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import { accountJwt, pushAccount } from './account.js';
import { adminConnectOptions, tenantAdminConnectOptions, withConnection } from './connections.js';
import { userCreds } from './credentials.js';
import { wrapNatsError } from './errors.js';
import { instanceKeys } from './keys.js';
import { ensureStream, jsm, streamConfig, subjectsOf } from './stream.js';
import { readTargetConfig, type OperatorTargetConfig, type SharedTargetConfig } from './target-config.js';
import { readValues } from './values.js';

/**
 * Create and update are the same idempotent sequence; see README.md for the crash points.
 * operator: 1. push the account JWT (limits, signing key) 2. create/update the stream inside the
 * account 3. mint the user's .creds offline. shared: 1. create/update the stream.
 */
export async function provision(ctx: DriverContext): Promise<ApplyResult> {
  const config = readTargetConfig(ctx.target);
  return config.mode === 'operator' ? provisionOperator(config, ctx) : provisionShared(config, ctx);
}

async function provisionOperator(config: OperatorTargetConfig, ctx: DriverContext): Promise<ApplyResult> {
  const name = ctx.instance.externalName;
  const values = readValues(ctx.instance.values);
  const keys = instanceKeys(config, name, ctx.secrets);
  ctx.signal.throwIfAborted();
  try {
    // A fresh JWT on every pass: a re-pushed identical token does not revive a deleted account.
    await withConnection(adminConnectOptions(config), (sys) => pushAccount(sys, accountJwt(config.operatorKey, keys.account, keys.signing, name, values), name));
  } catch (error) {
    throw wrapNatsError(error, 'push account', name);
  }
  ctx.signal.throwIfAborted();
  try {
    await withConnection(tenantAdminConnectOptions(config, keys.account), async (nc) => ensureStream(await jsm(nc), streamConfig(name, values)));
  } catch (error) {
    // The push "succeeds" even with a key the operator does not trust; the refusal shows here.
    if (/authoriz/i.test((error as Error)?.message ?? '')) throw untrusted(ctx.target.name, name, error);
    throw wrapNatsError(error, 'create stream', name);
  }
  ctx.signal.throwIfAborted();
  return {
    outputs: {
      ...operatorPublicOutputs(config, name, keys.account.publicKey, keys.user.publicKey),
      creds: userCreds(keys, name),
    },
  };
}

async function provisionShared(config: SharedTargetConfig, ctx: DriverContext): Promise<ApplyResult> {
  const name = ctx.instance.externalName;
  const values = readValues(ctx.instance.values);
  ctx.signal.throwIfAborted();
  try {
    await withConnection(adminConnectOptions(config), async (nc) => ensureStream(await jsm(nc), streamConfig(name, values)));
  } catch (error) {
    throw wrapNatsError(error, 'create stream', name);
  }
  ctx.signal.throwIfAborted();
  return { outputs: sharedOutputs(config, name) };
}

function untrusted(target: string, name: string, cause: unknown): DriverError {
  return new DriverError(`nats: create stream failed for "${name}": the server refuses the account; check that config.operatorSigningKey of target "${target}" is the operator's key or one of its signing keys`, {
    cause,
    retryable: false,
    code: 'permission_denied',
    issues: [{ path: 'config.operatorSigningKey', message: 'not trusted by the server' }],
  });
}

export function operatorPublicOutputs(config: OperatorTargetConfig, name: string, account: string, user: string): Record<string, string> {
  return { url: config.publicUrl, stream: name, subjects: subjectsOf(name), account, username: user };
}

export function sharedOutputs(config: SharedTargetConfig, name: string): Record<string, string> {
  return { url: config.publicUrl, stream: name, subjects: subjectsOf(name) };
}
