// The provisioning drivers that contract-checks.mjs and driver-create.mjs load from a build's
// dist folders, against this machine's services, and the context a call gets.
import { randomBytes } from 'node:crypto';
import { TARGETS } from './direct-ops.mjs';

export const DRIVERS = {
  postgres: { dir: 'postgres', factory: 'createPostgresDriver', config: { url: TARGETS.postgres, closeServerDatabases: false }, values: { connectionLimit: 20 } },
  mysql: { dir: 'mysql', factory: 'createMysqlDriver', config: { url: TARGETS.mysql }, values: { connectionLimit: 20 } },
  redis: { dir: 'redis', factory: 'createRedisDriver', config: { url: TARGETS.redis }, values: {} },
  amqp: { dir: 'rabbitmq', factory: 'createRabbitmqDriver', config: { managementUrl: TARGETS.rabbitmqManagement, amqpUrl: TARGETS.amqp }, values: { maxConnections: 20, maxQueues: 100 } },
};

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A driver call's context for a new instance named `externalName`, with fresh generated secrets. */
export function driverContext(driver, target, product, spec, externalName) {
  return {
    instance: { id: externalName, team: 'bench', name: externalName, externalName, product, plan: 'small', values: spec.values, rotation: 0 },
    target,
    secrets: Object.fromEntries(Object.entries(driver.secrets).map(([name, { bytes }]) => [name, randomBytes(bytes).toString('hex')])),
    signal: new AbortController().signal,
    logger: silentLogger,
  };
}
