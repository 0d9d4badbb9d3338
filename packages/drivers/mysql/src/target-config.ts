import { readServerTarget, type ServerTarget, type Target } from '@paved/driver-api';

/**
 * A MariaDB target: `{ url: 'mysql://admin:pw@host:3306/', host?, port? }`, the admin's
 * connection and the address instances are told to use (default: the URL's).
 */
export type MysqlTargetConfig = ServerTarget;

export function readTargetConfig(target: Target): MysqlTargetConfig {
  return readServerTarget(target, {
    driver: 'mysql',
    field: 'url',
    schemes: ['mysql', 'mariadb'],
    example: 'mysql://admin:password@host:3306/',
    defaultPort: 3306,
    defaultUser: 'root',
  });
}
