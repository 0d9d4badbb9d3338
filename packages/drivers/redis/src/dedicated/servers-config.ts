import { isAbsolute } from 'node:path';
import { DriverError } from '@paved/model';
import { targetConfigError, type DriverInstance, type Target } from '@paved/driver-api';

/**
 * `config.servers` of a redis target: where the driver runs a redis-server per instance of a
 * dedicated plan. The processes run on the host of the Paved worker that reconciles the
 * instance, so `bind` must be an address of that host (docs/drivers/redis.md, "Dedicated").
 */
export interface ServersConfig {
  /** Address every instance's server listens on. */
  bind: string;
  /** Address handed to instances (default: bind). */
  host: string;
  /** Ports handed out, first..last inclusive. */
  firstPort: number;
  lastPort: number;
  /** Absolute folder holding one folder per instance, and the port claims. */
  dataDir: string;
  /** The redis-server executable (default: redis-server on PATH). */
  redisServer: string;
}

const ADDRESS = /^[A-Za-z0-9.:-]{1,253}$/;

/** Whether the target has `config.servers` at all. */
export function hasServers(target: Target): boolean {
  return target.config.servers !== undefined;
}

export function readServersConfig(target: Target): ServersConfig {
  const servers = target.config.servers;
  const fail = (field: string, message: string) => targetConfigError('redis', target, { path: `config.servers${field}`, message });
  if (servers === undefined) {
    throw fail('', 'is required for a dedicated plan: { bind, ports, dataDir } of the host where Paved runs one redis-server per instance');
  }
  if (servers === null || typeof servers !== 'object' || Array.isArray(servers)) throw fail('', 'must be an object { bind, ports, dataDir, host?, redisServer? }');
  const { bind, host, ports, dataDir, redisServer } = servers as Record<string, unknown>;
  if (typeof bind !== 'string' || !ADDRESS.test(bind)) throw fail('.bind', 'must be the address the servers listen on, e.g. 10.0.3.7 or 127.0.0.1');
  if (host !== undefined && (typeof host !== 'string' || !ADDRESS.test(host))) throw fail('.host', 'must be a host name or address');
  const range = typeof ports === 'string' ? /^(\d{1,5})-(\d{1,5})$/.exec(ports) : null;
  const [firstPort, lastPort] = range ? [Number(range[1]), Number(range[2])] : [0, 0];
  if (!range || firstPort < 1024 || lastPort > 65535 || lastPort < firstPort) throw fail('.ports', 'must be a range such as "7100-7199" within 1024-65535');
  if (typeof dataDir !== 'string' || !isAbsolute(dataDir)) throw fail('.dataDir', 'must be an absolute folder, e.g. /var/lib/paved/redis');
  if (redisServer !== undefined && (typeof redisServer !== 'string' || redisServer === '')) throw fail('.redisServer', 'must be the path of redis-server');
  return { bind, host: (host as string | undefined) ?? bind, firstPort, lastPort, dataDir, redisServer: (redisServer as string | undefined) ?? 'redis-server' };
}

export type Persistence = 'aof' | 'rdb' | 'none';
const PERSISTENCE: readonly Persistence[] = ['aof', 'rdb', 'none'];
const POLICIES = ['noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'] as const;

/** What a dedicated plan asks of its server (plan values). */
export interface WantedServer {
  /** Bytes. */
  maxmemory: number;
  maxmemoryPolicy: string;
  persistence: Persistence;
}

/** Whether the instance's plan asks for a server of its own (`values.server: dedicated`). */
export function isDedicated(instance: DriverInstance): boolean {
  return instance.values.server === 'dedicated';
}

const UNITS: Record<string, number> = { '': 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function wantedServer(instance: DriverInstance): WantedServer {
  const { maxmemory = '64mb', maxmemoryPolicy = 'noeviction', persistence = 'aof' } = instance.values;
  const invalid = (path: string, message: string) =>
    new DriverError(`redis: ${path} of "${instance.externalName}" ${message}`, { code: 'invalid_value', retryable: false, issues: [{ path, message }] });
  const size = typeof maxmemory === 'string' ? /^(\d{1,6})(kb|mb|gb)$/i.exec(maxmemory) : null;
  const bytes = size ? Number(size[1]) * UNITS[size[2]!.toLowerCase()]! : 0;
  if (bytes < 1024 ** 2) throw invalid('values.maxmemory', 'must be a size of 1mb or more, such as "256mb" or "2gb"');
  if (typeof maxmemoryPolicy !== 'string' || !(POLICIES as readonly string[]).includes(maxmemoryPolicy)) throw invalid('values.maxmemoryPolicy', `must be one of ${POLICIES.join(', ')}`);
  if (typeof persistence !== 'string' || !(PERSISTENCE as readonly string[]).includes(persistence)) throw invalid('values.persistence', `must be one of ${PERSISTENCE.join(', ')}`);
  return { maxmemory: bytes, maxmemoryPolicy, persistence: persistence as Persistence };
}
