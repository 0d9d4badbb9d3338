import { DriverError } from '@paved/model';
import type { Target } from '@paved/driver-api';

/** A MariaDB target's settings, read from `target.config`. */
export interface MysqlTargetConfig {
  /** Admin connection settings from config.url. The password is never logged. */
  admin: { host: string; port: number; user: string; password: string };
  /** Host and port handed to instances in their outputs (the public address of the server). */
  host: string;
  port: number;
  /** The admin's address without its password, safe for messages. */
  display: string;
  /** A key that changes whenever the admin connection settings do (pools are keyed by it). */
  key: string;
}

/** Reads `{ url: 'mysql://admin:pw@host:3306/', host?, port? }`, every problem with its field. */
export function readTargetConfig(target: Target): MysqlTargetConfig {
  const { url, host, port } = target.config;
  if (typeof url !== 'string' || url === '') throw invalid(target, 'config.url', 'is required (mysql://admin:password@host:3306/)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(target, 'config.url', 'is not a valid URL');
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') throw invalid(target, 'config.url', 'must start with mysql:// or mariadb://');
  if (host !== undefined && (typeof host !== 'string' || host === '')) throw invalid(target, 'config.host', 'must be a non-empty string');
  const adminPort = parsed.port === '' ? 3306 : Number(parsed.port);
  const portValue = port ?? adminPort;
  const portNumber = typeof portValue === 'string' ? Number(portValue) : portValue;
  if (typeof portNumber !== 'number' || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw invalid(target, 'config.port', 'must be a port number');
  }
  const adminHost = decodeURIComponent(parsed.hostname.replace(/^\[|\]$/g, '')) || '127.0.0.1';
  const user = decodeURIComponent(parsed.username) || 'root';
  return {
    admin: { host: adminHost, port: adminPort, user, password: decodeURIComponent(parsed.password) },
    host: (host as string | undefined) ?? adminHost,
    port: portNumber,
    display: `${user}@${adminHost}:${adminPort}`,
    key: `${target.name}\0${url}`,
  };
}

function invalid(target: Target, path: string, message: string): DriverError {
  return new DriverError(`mysql target "${target.name}": ${path} ${message}`, {
    code: 'target_config_invalid',
    retryable: false,
    issues: [{ path, message }],
  });
}
