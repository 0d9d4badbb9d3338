export { createNatsDriver } from './nats-driver.js';
export type { NatsDriverOptions } from './nats-driver.js';
export { accountKey } from './keys.js';
export { readTargetConfig } from './target-config.js';
export type { NatsMode, NatsTargetConfig } from './target-config.js';
export { nkeyFromRaw, nkeyFromSeed, deriveNKey } from './nkey.js';
export type { NKey, KeyRole } from './nkey.js';
export { encodeJwt, decodeJwt, formatCreds, parseCreds } from './jwt.js';
export { tenantConnectOptions } from './checks.js';
