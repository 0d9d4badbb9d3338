import { errorLine, type PreflightResult } from '@paved/driver-api';
import { jsm } from './stream.js';
import { accountJwt, pushAccount, accountExists, deleteAccount } from './account.js';
import { adminConnectOptions, tenantAdminConnectOptions, withConnection } from './connections.js';
import { accountKey } from './keys.js';
import type { NatsTargetConfig, OperatorTargetConfig } from './target-config.js';
import { readValues } from './values.js';

/**
 * Can we provision here? Connects as the driver would; in operator mode pushes, uses and deletes
 * a throwaway account (proving the signing key, the system user and JetStream), in shared mode
 * asks for JetStream account info. One line per problem with its fix. Never throws.
 */
export async function preflight(config: NatsTargetConfig): Promise<PreflightResult> {
  let version: string | undefined;
  const problems: string[] = [];
  try {
    await withConnection(adminConnectOptions(config), async (nc) => {
      version = `nats-server ${nc.info?.version ?? 'unknown'}`;
      if (config.mode === 'shared') {
        await (await jsm(nc)).getAccountInfo();
        return;
      }
      if (!(nc.info as { jetstream?: boolean } | undefined)?.jetstream) problems.push('JetStream is not enabled on the server; add a jetstream { store_dir: … } block to its config');
      await accountExists(nc, '');
    });
  } catch (error) {
    const reason = errorLine(error, config.pass === undefined ? [] : [config.pass]);
    const fix =
      config.mode === 'operator'
        ? 'check config.url, that systemCreds belongs to the system account, and that the server runs a full resolver (resolver { type: full, allow_delete: true })'
        : 'check config.url and that the server runs with JetStream (-js)';
    return { ok: false, problems: [`cannot use ${config.display}: ${reason}; ${fix}`], ...(version ? { version } : {}) };
  }
  if (config.mode === 'shared') {
    // Not a blocker for development, so a warning (ok stays true), but nobody should mistake
    // shared mode for isolation.
    const warnings = ['mode shared gives NO access isolation: any client of the server can reach every stream; use mode operator outside development'];
    return { ok: true, problems, warnings, ...(version ? { version } : {}) };
  }
  if (problems.length === 0) problems.push(...(await probeAccount(config)));
  return { ok: problems.length === 0, problems, ...(version ? { version } : {}) };
}

async function probeAccount(config: OperatorTargetConfig): Promise<string[]> {
  const name = `paved_preflight_${Date.now().toString(36)}`;
  const account = accountKey(config, name);
  const values = readValues({ maxBytes: 1024 * 1024 });
  try {
    await withConnection(adminConnectOptions(config), (sys) => pushAccount(sys, accountJwt(config.operatorKey, account, account, name, values), name));
  } catch (error) {
    return [`the server refused an account signed with operatorSigningKey (${errorLine(error)}); use the operator's key or one of its signing keys, and allow_delete: true in the resolver`];
  }
  try {
    await withConnection(tenantAdminConnectOptions(config, account), async (nc) => (await jsm(nc)).getAccountInfo());
    return [];
  } catch (error) {
    const reason = errorLine(error);
    // nats-server 2.9 stores an account signed by an untrusted key ("jwt updated") and only
    // refuses its users, so a wrong key shows up here, not at the push.
    if (/authoriz/i.test(reason)) return [`the server refused an account signed with operatorSigningKey (${reason}); use the operator's key or one of its signing_keys`];
    return [`JetStream is not available to new accounts (${reason}); check max_file_store has room`];
  } finally {
    await withConnection(adminConnectOptions(config), (sys) => deleteAccount(sys, config.operatorKey, account.publicKey, name)).catch(() => {});
  }
}
