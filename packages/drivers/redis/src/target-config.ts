import { DriverError } from '@paved/model';
import type { Target } from '@paved/driver-api';

/** How ACL users are made to survive a Redis restart (see README: persistence). */
export type AclPersistence = 'aclfile' | 'config-rewrite' | 'none';
const PERSISTENCE_MODES: readonly AclPersistence[] = ['aclfile', 'config-rewrite', 'none'];

/** A Redis target's settings, read from `target.config`. */
export interface RedisTargetConfig {
  /** Admin connection URL, e.g. redis://admin:pw@host:6379. Never logged. */
  url: string;
  /** Host and port handed to instances in their outputs (the public address of the server). */
  host: string;
  port: number;
  /** rediss:// targets hand out rediss:// URLs and tenant clients use TLS. */
  tls: boolean;
  /** Undefined means: detect it from the server (aclfile, else config file, else none). */
  aclPersistence: AclPersistence | undefined;
  /** The admin's address without its password, safe for messages. */
  display: string;
}

export function readTargetConfig(target: Target): RedisTargetConfig {
  const { url, host, port, aclPersistence } = target.config;
  if (typeof url !== 'string' || url === '') throw invalid(target, 'config.url', 'is required (redis://[user:password@]host:6379)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(target, 'config.url', 'is not a valid URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw invalid(target, 'config.url', 'must start with redis:// or rediss://');
  // Tenants are confined to logical database 0 (SELECT is refused to them), so the admin must
  // work there too, or deletion would clean the wrong database.
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && db !== '0') throw invalid(target, 'config.url', 'must use database 0 (tenants cannot SELECT another database)');
  if (host !== undefined && (typeof host !== 'string' || host === '')) throw invalid(target, 'config.host', 'must be a non-empty string');
  const portValue = port ?? (parsed.port === '' ? 6379 : Number(parsed.port));
  const portNumber = typeof portValue === 'string' ? Number(portValue) : portValue;
  if (typeof portNumber !== 'number' || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw invalid(target, 'config.port', 'must be a port number');
  }
  if (aclPersistence !== undefined && !PERSISTENCE_MODES.includes(aclPersistence as AclPersistence)) {
    throw invalid(target, 'config.aclPersistence', `must be one of ${PERSISTENCE_MODES.join(', ')}`);
  }
  const publicHost = (host as string | undefined) ?? (parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1');
  const user = decodeURIComponent(parsed.username) || 'default';
  return {
    url,
    host: publicHost,
    port: portNumber,
    tls: parsed.protocol === 'rediss:',
    aclPersistence: aclPersistence as AclPersistence | undefined,
    display: `${user}@${parsed.host || '127.0.0.1:6379'}`,
  };
}

function invalid(target: Target, path: string, message: string): DriverError {
  return new DriverError(`redis target "${target.name}": ${path} ${message}`, {
    code: 'target_config_invalid',
    retryable: false,
    issues: [{ path, message }],
  });
}
