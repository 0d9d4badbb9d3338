import { readServerTarget, targetConfigError, type ServerTarget, type Target } from '@paved/driver-api';

/**
 * A PostgreSQL target: `{ url: 'postgres://admin:pw@host:5432/postgres', host?, port?,
 * closeServerDatabases? }`, the admin's connection, the address instances are told to use
 * (default: the URL's), and whether databases that are not tenants' are closed to PUBLIC.
 */
export interface PostgresTargetConfig extends ServerTarget {
  /**
   * true (default): no role may connect to a database Paved did not make (`postgres`,
   * `template1`…) by PUBLIC's default right; see server-databases.ts. false: leave them as they
   * are, for a server shared with applications Paved does not manage.
   */
  closeServerDatabases: boolean;
}

export function readTargetConfig(target: Target): PostgresTargetConfig {
  const server = readServerTarget(target, {
    driver: 'postgres',
    field: 'url',
    schemes: ['postgres', 'postgresql'],
    example: 'postgres://admin:password@host:5432/postgres',
    defaultPort: 5432,
    defaultHost: 'localhost',
    defaultUser: 'postgres',
  });
  const close = target.config.closeServerDatabases ?? true;
  if (typeof close !== 'boolean') throw targetConfigError('postgres', target, { path: 'config.closeServerDatabases', message: 'must be true or false' });
  return { ...server, closeServerDatabases: close };
}
