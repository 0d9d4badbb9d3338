export { createMysqlDriver } from './mysql-driver.js';
export type { MysqlDriverOptions } from './mysql-driver.js';
export { nativePasswordHash } from './native-password.js';
export { grantPattern, hasWildcard, quoteAccount, quoteIdent, quoteLiteral } from './quote.js';
export { checkConnect, checkIsolation, checkWriteRead } from './checks.js';
export { ed25519PublicKey } from './auth.js';
export { tenantAuthPlugins } from './client-auth.js';
