export { createSecretDriver } from './secret-driver.js';
export type { SecretDriverOptions } from './secret-driver.js';
