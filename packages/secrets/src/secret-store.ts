import type { Store } from '@paved/store';
import type { MasterKey } from './master-key.js';
import { createSecretBox } from './secret-box.js';
import type { SecretStore } from './types.js';

export interface SecretStoreOptions {
  store: Pick<Store, 'putSecret' | 'getSecret' | 'deleteSecrets'>;
  masterKey: MasterKey;
}

/**
 * What an envelope is bound to. JSON of the pair, not "owner/name": no two distinct pairs can
 * produce the same string, whatever characters the ids contain.
 */
function aadFor(ownerId: string, name: string): string {
  return JSON.stringify([ownerId, name]);
}

/** The SecretStore over the store's secrets table: values are sealed before they leave this process. */
export function createSecretStore(options: SecretStoreOptions): SecretStore {
  const box = createSecretBox(options.masterKey);
  const { store } = options;
  return {
    async put(ownerId, name, values) {
      await store.putSecret({ ownerId, name, envelope: box.seal(values, aadFor(ownerId, name)) });
    },
    async get(ownerId, name) {
      const row = await store.getSecret(ownerId, name);
      return row && box.open(row.envelope, aadFor(ownerId, name));
    },
    async deleteAll(ownerId) {
      await store.deleteSecrets(ownerId);
    },
  };
}
