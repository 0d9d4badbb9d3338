import { DriverError } from '@paved/model';
import type { Target } from '@paved/driver-api';

/** A PostgreSQL target's settings, read from `target.config`. */
export interface PostgresTargetConfig {
  /** Admin connection string, e.g. postgres://admin:pw@host:5432/postgres. Never logged. */
  url: string;
  /** Host and port handed to instances in their outputs (the public address of the server). */
  host: string;
  port: number;
  /** The admin's address without its password, safe for messages. */
  display: string;
}

export function readTargetConfig(target: Target): PostgresTargetConfig {
  const { url, host, port } = target.config;
  if (typeof url !== 'string' || url === '') throw invalid(target, 'config.url', 'is required (postgres://admin:password@host:5432/postgres)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(target, 'config.url', 'is not a valid URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw invalid(target, 'config.url', 'must start with postgres://');
  if (host !== undefined && (typeof host !== 'string' || host === '')) throw invalid(target, 'config.host', 'must be a non-empty string');
  const portValue = port ?? (parsed.port === '' ? 5432 : Number(parsed.port));
  const portNumber = typeof portValue === 'string' ? Number(portValue) : portValue;
  if (typeof portNumber !== 'number' || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw invalid(target, 'config.port', 'must be a port number');
  }
  const publicHost = (host as string | undefined) ?? decodeURIComponent(parsed.hostname.replace(/^\[|\]$/g, '')) ?? 'localhost';
  const user = decodeURIComponent(parsed.username) || 'postgres';
  return { url, host: publicHost || 'localhost', port: portNumber, display: `${user}@${parsed.host || 'localhost'}` };
}

function invalid(target: Target, path: string, message: string): DriverError {
  return new DriverError(`postgres target "${target.name}": ${path} ${message}`, {
    code: 'target_config_invalid',
    retryable: false,
    issues: [{ path, message }],
  });
}
