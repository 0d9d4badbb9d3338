import type { Redis } from 'ioredis';
import { RedisClient } from './ioredis.js';
import { DriverError } from '@paved/model';
import { withCheckConnection, type CheckSession } from '@paved/driver-api';
import { wrapRedisError } from './redis-errors.js';

const REQUIRED = ['host', 'port', 'username', 'password', 'prefix'] as const;
export type TenantOutputs = Record<(typeof REQUIRED)[number], string> & { url?: string };

/** The outputs a tenant connection needs; `prefix` is empty for a dedicated server (the whole server is the instance's). */
export function requireOutputs(outputs: Record<string, string>, what: string, options: { prefix: boolean } = { prefix: true }): TenantOutputs {
  const missing = REQUIRED.filter((key) => (key === 'prefix' ? options.prefix && !outputs[key] : !outputs[key]));
  if (missing.length > 0) {
    throw new DriverError(`redis: ${what} needs the outputs ${missing.join(', ')}`, {
      code: 'outputs_missing',
      retryable: false,
      issues: missing.map((key) => ({ path: `outputs.${key}`, message: 'is required' })),
    });
  }
  return { ...outputs, prefix: outputs.prefix ?? '' } as TenantOutputs;
}

/** A tenant connection and the first error it reported (a refused AUTH arrives that way). */
export interface TenantConnection {
  redis: Redis;
  refusal?: Error;
}

/**
 * A tenant connection as an application would open one, not yet connected. The ready check is
 * off: ioredis's runs INFO, which tenants are refused. No reconnects and no queued retries, so a
 * refused login fails at once instead of looping. No `CLIENT SETINFO` (ioredis sends two beside
 * AUTH and waits for their answers before the connection is ready): it names the library in
 * `CLIENT LIST` for a connection that lives for one check run, cost two writes and two answers on
 * every create's path to its credentials, and servers before Redis 7.2 refuse it, each refusal
 * an error built and dropped (bench/README.md §1 round 25).
 */
function tenantConnection(outputs: TenantOutputs): TenantConnection {
  const redis = new (RedisClient())({
    host: outputs.host,
    port: Number(outputs.port),
    username: outputs.username,
    password: outputs.password,
    ...(outputs.url?.startsWith('rediss:') ? { tls: {} } : {}),
    enableReadyCheck: false,
    disableClientInfo: true,
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  const connection: TenantConnection = { redis };
  // A refused AUTH arrives as an 'error' event; connect() itself only says the connection
  // closed. Keep the reply so the message says why (WRONGPASS…).
  redis.on('error', (error: Error) => {
    connection.refusal ??= error;
  });
  return connection;
}

function tenantError(connection: TenantConnection, error: unknown, what: string, outputs: TenantOutputs): DriverError {
  const reason = connection.refusal && /Connection is closed/.test((error as Error).message ?? '') ? connection.refusal : error;
  return wrapRedisError(reason, what, outputs.username, [outputs.password]);
}

/** Connects as the tenant; the caller disconnects. */
async function openTenant(outputs: TenantOutputs, what: string, signal?: AbortSignal): Promise<TenantConnection> {
  signal?.throwIfAborted();
  const connection = tenantConnection(outputs);
  try {
    await connection.redis.connect();
  } catch (error) {
    connection.redis.disconnect();
    throw tenantError(connection, error, what, outputs);
  }
  return connection;
}

/**
 * Connects as the tenant, as an application would, and runs `work`: on the check run's shared
 * connection when `session` is given, else on one opened for this call and closed after it.
 */
export async function withTenant<T>(outputs: TenantOutputs, what: string, work: (redis: Redis) => Promise<T>, signal?: AbortSignal, session?: CheckSession): Promise<T> {
  const connection = {
    key: `redis:${outputs.username}`,
    open: () => openTenant(outputs, what, signal),
    close: (c: TenantConnection) => c.redis.disconnect(),
  };
  return withCheckConnection(session, signal, connection, async (tenant) => {
    try {
      return await work(tenant.redis);
    } catch (error) {
      throw tenantError(tenant, error, what, outputs);
    }
  });
}
