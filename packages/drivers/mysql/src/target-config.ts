import { readPublicAddress, readServerUrl, type ServerUrl, type Target } from '@paved/driver-api';

/** A MariaDB target's settings, read from `target.config`: `{ url, host?, port? }`. */
export interface MysqlTargetConfig {
  /** The admin's connection, from config.url (mysql://admin:pw@host:3306/). */
  admin: ServerUrl;
  /** Host and port handed to instances in their outputs (the public address of the server). */
  host: string;
  port: number;
}

export function readTargetConfig(target: Target): MysqlTargetConfig {
  const admin = readServerUrl(target, {
    driver: 'mysql',
    field: 'url',
    schemes: ['mysql', 'mariadb'],
    example: 'mysql://admin:password@host:3306/',
    defaultPort: 3306,
    defaultUser: 'root',
  });
  return { admin, ...readPublicAddress(target, 'mysql', admin) };
}
