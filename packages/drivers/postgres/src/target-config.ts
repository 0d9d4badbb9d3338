import { readServerTarget, type ServerTarget, type Target } from '@paved/driver-api';

/**
 * A PostgreSQL target: `{ url: 'postgres://admin:pw@host:5432/postgres', host?, port? }`, the
 * admin's connection and the address instances are told to use (default: the URL's).
 */
export type PostgresTargetConfig = ServerTarget;

export function readTargetConfig(target: Target): PostgresTargetConfig {
  return readServerTarget(target, {
    driver: 'postgres',
    field: 'url',
    schemes: ['postgres', 'postgresql'],
    example: 'postgres://admin:password@host:5432/postgres',
    defaultPort: 5432,
    defaultHost: 'localhost',
    defaultUser: 'postgres',
  });
}
