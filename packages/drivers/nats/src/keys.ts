import { DriverError } from '@paved/model';
import { deriveNKey, nkeyFromRaw, type NKey } from './nkey.js';
import type { OperatorTargetConfig } from './target-config.js';

/**
 * An instance's keys. The account key comes from the target's secret and the external name,
 * not from the instance's secrets: retries converge on the same account, and an update that
 * brings new secrets (re-issued credentials) still finds the account it must change. External
 * names are never reused across instances, so no two instances share an account key.
 *
 * The user credential comes from the instance's `userSeed` secret: the user key, and an account
 * signing key that signs it. The account JWT lists only the current signing key, so new secrets
 * retire every credential signed with the old ones (the server refuses them).
 */
export interface InstanceKeys {
  account: NKey;
  signing: NKey;
  user: NKey;
}

export function accountKey(config: OperatorTargetConfig, externalName: string): NKey {
  return deriveNKey('account', config.accountKeySecret, `account:${externalName}`);
}

export function instanceKeys(config: OperatorTargetConfig, externalName: string, secrets: Record<string, string>): InstanceKeys {
  const seed = secrets.userSeed;
  if (typeof seed !== 'string' || !/^[0-9a-f]{64}$/.test(seed)) {
    throw new DriverError('nats: secret "userSeed" must be 32 random bytes as hex', {
      code: 'secrets_invalid',
      retryable: false,
      issues: [{ path: 'secrets.userSeed', message: 'must be 64 hex characters' }],
    });
  }
  const raw = Buffer.from(seed, 'hex');
  return { account: accountKey(config, externalName), signing: deriveNKey('account', raw, 'signing-key'), user: nkeyFromRaw('user', raw) };
}
