export { createPostgresDriver } from './postgres-driver.js';
export type { PostgresDriverOptions } from './postgres-driver.js';
export { scramVerifier } from './scram.js';
export { quoteIdent, quoteLiteral } from './quote.js';
