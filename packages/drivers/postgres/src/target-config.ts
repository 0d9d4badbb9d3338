import { readPublicAddress, readServerUrl, type ServerUrl, type Target } from '@paved/driver-api';

/** A PostgreSQL target's settings, read from `target.config`: `{ url, host?, port? }`. */
export interface PostgresTargetConfig {
  /** The admin's connection, from config.url (postgres://admin:pw@host:5432/postgres). */
  admin: ServerUrl;
  /** Host and port handed to instances in their outputs (the public address of the server). */
  host: string;
  port: number;
}

export function readTargetConfig(target: Target): PostgresTargetConfig {
  const admin = readServerUrl(target, {
    driver: 'postgres',
    field: 'url',
    schemes: ['postgres', 'postgresql'],
    example: 'postgres://admin:password@host:5432/postgres',
    defaultPort: 5432,
    defaultHost: 'localhost',
    defaultUser: 'postgres',
  });
  return { admin, ...readPublicAddress(target, 'postgres', admin) };
}
