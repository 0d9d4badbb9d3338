export { createMysqlDriver } from './mysql-driver.js';
export type { MysqlDriverOptions } from './mysql-driver.js';
export { nativePasswordHash } from './native-password.js';
export { grantPattern, hasWildcard, quoteAccount, quoteIdent, quoteLiteral } from './quote.js';
export { CHECK_SESSION_OPTIONS, checkConnect, checkIsolation, checkWriteRead } from './checks.js';
export { ed25519PublicKey, ed25519Signature } from './ed25519.js';
export { tenantAuthPlugins } from './client-auth.js';
