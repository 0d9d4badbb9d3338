export type * from './types.js';
export { decodeMasterKey, loadMasterKey, masterKeyId, MASTER_KEY_BYTES, type LoadedMasterKey, type LoadMasterKeyOptions, type MasterKey } from './master-key.js';
export { createSecretBox, type SecretBox, type SecretEnvelope } from './secret-box.js';
export { createSecretStore, type SecretStoreOptions } from './secret-store.js';
