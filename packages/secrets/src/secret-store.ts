import { UnavailableError } from '@paved/model';
import type { ActiveMasterKey, SecretEnvelopeRow, Store } from '@paved/store';
import { fixedKeyring, type KeyringSource, type VersionedKey } from './keyring.js';
import type { MasterKey } from './master-key.js';
import { createSecretBox, envelopeKeyId, type SecretBox } from './secret-box.js';
import type { SecretStore } from './types.js';

export interface SecretStoreOptions {
  store: Pick<Store, 'putSecret' | 'getSecret' | 'deleteSecrets' | 'activeMasterKey'>;
  /** The keyring (the platform); or `masterKey`, one fixed key (tests). */
  keyring?: KeyringSource;
  masterKey?: MasterKey;
}

/**
 * What an envelope is bound to. JSON of the pair, not "owner/name": no two distinct pairs can
 * produce the same string, whatever characters the ids contain.
 */
export function aadFor(ownerId: string, name: string): string {
  return JSON.stringify([ownerId, name]);
}

/** How often a write re-seals after the store said the keys were rotated meanwhile. */
const STALE_KEY_RETRIES = 3;

/** What to do when this process lacks the key the store names: where its keyring comes from. */
export function missingKeyAdvice(keyring: KeyringSource): string {
  return keyring.kind === 'file'
    ? `the key file ${keyring.keyFile} does not hold it (was it replaced, or is this another data folder's file?)`
    : 'PAVED_MASTER_KEY does not hold it: give this process the keyring `paved keys rotate` was run with';
}

/**
 * The SecretStore over the store's secrets table: values are sealed before they leave this
 * process. New secrets are sealed with the store's active master key; envelopes open with
 * whichever key of the keyring wrapped them. When another process rotates the keys, the store
 * refuses a write under the old key and this re-reads the active key (and the key file) and
 * seals again, so no secret is written under a retired key.
 */
export function createSecretStore(options: SecretStoreOptions): SecretStore {
  const { store } = options;
  const keyring = options.keyring ?? fixedKeyring(options.masterKey ? [{ ...options.masterKey, version: 1 }] : []);
  const boxes = new Map<string, SecretBox>();
  let sealing: VersionedKey | undefined;

  const boxFor = (key: MasterKey): SecretBox => {
    let box = boxes.get(key.id);
    if (box === undefined) {
      box = createSecretBox(key);
      boxes.set(key.id, box);
    }
    return box;
  };
  /** The key with this id, reading the keyring again once when it is not known yet. */
  const findKey = (id: string): VersionedKey | undefined => keyring.keys().find((key) => key.id === id) ?? keyring.reload().find((key) => key.id === id);
  const newest = (): VersionedKey => {
    const keys = keyring.keys();
    if (keys.length === 0) throw new UnavailableError('No master key is loaded.', { code: 'master_key_missing' });
    return keys[keys.length - 1]!;
  };

  async function sealingKey(): Promise<VersionedKey> {
    if (sealing !== undefined) return sealing;
    const active: ActiveMasterKey | undefined = await store.activeMasterKey();
    if (active === undefined) return (sealing = newest());
    const key = findKey(active.keyId);
    if (key === undefined) {
      throw new UnavailableError(
        `New secrets are sealed with master key v${active.version} ("${active.keyId}"), which this process does not hold: ${missingKeyAdvice(keyring)}.`,
        { code: 'master_key_missing' },
      );
    }
    return (sealing = key);
  }

  function open(row: SecretEnvelopeRow): Record<string, string> {
    const kid = envelopeKeyId(row.envelope);
    const key = (kid === undefined ? undefined : findKey(kid)) ?? newest();
    // An unknown kid opens with the newest key, which fails with a message naming both ids.
    return boxFor(key).open(row.envelope, aadFor(row.ownerId, row.name));
  }

  return {
    async put(ownerId, name, values, options) {
      const aad = aadFor(ownerId, name);
      for (let attempt = 0; attempt <= STALE_KEY_RETRIES; attempt++) {
        const key = await sealingKey();
        const outcome = await store.putSecret({ ownerId, name, envelope: boxFor(key).seal(values, aad), keyId: key.id }, options);
        if (outcome === 'written') return;
        sealing = undefined; // rotated meanwhile: read the active key again
      }
      throw new UnavailableError('The master key changed during every attempt to store a secret; try again.', { code: 'master_key_changing' });
    },
    async get(ownerId, name) {
      const row = await store.getSecret(ownerId, name);
      return row === undefined ? undefined : open(row);
    },
    open,
    sealNow(ownerId, name, values) {
      if (sealing === undefined) {
        sealingKey().catch(() => undefined); // known for the next one; a failure is put's to report
        return undefined;
      }
      return { envelope: boxFor(sealing).seal(values, aadFor(ownerId, name)), keyId: sealing.id };
    },
    async knowSealingKey() {
      await sealingKey().catch(() => undefined);
    },
    async deleteAll(ownerId) {
      await store.deleteSecrets(ownerId);
    },
  };
}
