export { createPostgresDriver } from './postgres-driver.js';
export type { PostgresDriverOptions } from './postgres-driver.js';
export { scramVerifier } from './scram.js';
export { quoteIdent, quoteLiteral } from './quote.js';
export { ISOLATION_SQL } from './checks.js';
export { HIDDEN_CATALOGS } from './catalogs.js';
