import type { Driver, Logger } from '@paved/driver-api';
import { createLogStreamDriver } from '@paved/driver-log-stream';
import { createMysqlDriver } from '@paved/driver-mysql';
import { createNatsDriver } from '@paved/driver-nats';
import { createPostgresDriver } from '@paved/driver-postgres';
import { createRabbitmqDriver } from '@paved/driver-rabbitmq';
import { createRedisDriver } from '@paved/driver-redis';
import { createScoreDriver } from '@paved/driver-score';
import { createScriptDriver } from '@paved/driver-script';
import { createSecretDriver } from '@paved/driver-secret';
import { createWebhookDriver } from '@paved/driver-webhook';

/**
 * The drivers this platform runs, by type. The only module that knows every concrete driver:
 * the engine and the API receive them as `Record<string, Driver>` and use the contract only.
 */
export function createDrivers(logger: Logger): Record<string, Driver> {
  const drivers = [
    createPostgresDriver({ logger }),
    createMysqlDriver({ logger }),
    createRedisDriver({ logger }),
    createRabbitmqDriver({ logger }),
    createNatsDriver({ logger }),
    createSecretDriver({ logger }),
    createScriptDriver({ logger }),
    createWebhookDriver({ logger }),
    createLogStreamDriver({ logger }),
    createScoreDriver({ logger }),
  ];
  return Object.fromEntries(drivers.map((driver) => [driver.type, driver]));
}
