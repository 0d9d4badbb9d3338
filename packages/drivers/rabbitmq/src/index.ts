export { createRabbitmqDriver } from './rabbitmq-driver.js';
export type { RabbitmqDriverOptions } from './rabbitmq-driver.js';
export { rabbitPasswordHash, passwordMatches, HASHING_ALGORITHM } from './password-hash.js';
export { readTargetConfig } from './target-config.js';
export type { RabbitmqTargetConfig } from './target-config.js';
export { amqpUrl } from './outputs.js';
