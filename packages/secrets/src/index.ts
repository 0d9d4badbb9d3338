export type * from './types.js';
export { decodeMasterKey, masterKeyId, MASTER_KEY_BYTES, type MasterKey } from './master-key.js';
export { fixedKeyring, openKeyring, type KeyringSource, type OpenKeyringOptions, type VersionedKey } from './keyring.js';
export { createSecretBox, type SecretBox, type SecretEnvelope } from './secret-box.js';
export { createSecretStore, type SecretStoreOptions } from './secret-store.js';
export { registerKeyring, rotateMasterKey, type RotationReport } from './rotation.js';
