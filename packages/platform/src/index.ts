/**
 * @paved/platform: the running platform. Reads the configuration once (config.ts) and wires
 * store, secrets, engine, drivers and the HTTP server in one composition root (start-paved.ts);
 * `paved up` and `paved server` start it.
 */
export { loadConfig, parseDuration, DEFAULT_PORT, type PavedConfig, type ProcessRole, type ConfigOverrides } from './config.js';
export { startPaved, PAVED_VERSION, type RunningPaved, type StartOptions } from './start-paved.js';
export { parseTargets } from './targets.js';
export { reachableEmbeddedPostgresPackage } from './embedded-postgres/index.js';
export { keysStatus, rotateKeys, type KeysStatus } from './keys.js';
export { backupPaved, type BackupReport } from './backup/backup.js';
export { restorePaved, type RestoreOptions, type RestoreReport } from './backup/restore.js';
