import { Redis } from 'ioredis';
import { DriverError } from '@paved/model';
import { wrapRedisError } from './redis-errors.js';

const REQUIRED = ['host', 'port', 'username', 'password', 'prefix'] as const;
export type TenantOutputs = Record<(typeof REQUIRED)[number], string> & { url?: string };

export function requireOutputs(outputs: Record<string, string>, what: string): TenantOutputs {
  const missing = REQUIRED.filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new DriverError(`redis: ${what} needs the outputs ${missing.join(', ')}`, {
      code: 'outputs_missing',
      retryable: false,
      issues: missing.map((key) => ({ path: `outputs.${key}`, message: 'is required' })),
    });
  }
  return outputs as TenantOutputs;
}

/**
 * Connects as the tenant, as an application would, and runs `work`. The ready check is off:
 * ioredis's runs INFO, which tenants are refused. No reconnects and no queued retries, so a
 * refused login fails at once instead of looping.
 */
export async function withTenant<T>(outputs: TenantOutputs, what: string, work: (redis: Redis) => Promise<T>, signal?: AbortSignal): Promise<T> {
  signal?.throwIfAborted();
  const redis = new Redis({
    host: outputs.host,
    port: Number(outputs.port),
    username: outputs.username,
    password: outputs.password,
    ...(outputs.url?.startsWith('rediss:') ? { tls: {} } : {}),
    enableReadyCheck: false,
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // A refused AUTH arrives as an 'error' event; connect() itself only says the connection
  // closed. Keep the reply so the message says why (WRONGPASS…).
  let refusal: Error | undefined;
  redis.on('error', (error: Error) => {
    refusal ??= error;
  });
  const onAbort = () => redis.disconnect();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await redis.connect();
    return await work(redis);
  } catch (error) {
    const reason = refusal && /Connection is closed/.test((error as Error).message ?? '') ? refusal : error;
    throw wrapRedisError(reason, what, outputs.username, [outputs.password]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    redis.disconnect();
  }
}
