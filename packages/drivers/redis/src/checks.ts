import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DriverError } from '@paved/model';
import type { CheckSession, ContractCheck, DriverInstance } from '@paved/driver-api';
import { requireOutputs, withTenant, type TenantOutputs } from './tenant-client.js';
import { checkServerIsolation, checkServerWriteRead } from './dedicated/checks.js';
import { isDedicated } from './dedicated/servers-config.js';

function failed(check: string, message: string): DriverError {
  return new DriverError(`redis ${check}: ${message}`, { code: 'check_failed', retryable: true });
}

/** Logs in with the issued credentials and PINGs. */
export async function checkConnect(outputs: TenantOutputs, signal?: AbortSignal, session?: CheckSession): Promise<void> {
  await withTenant(outputs, 'connect', async (redis) => {
    const pong = await redis.ping();
    if (pong !== 'PONG') throw failed('connect', `user "${outputs.username}" got "${pong}" to PING`);
  }, signal, session);
}

/** SET then GET of a fresh key under the prefix, removed afterwards (and expiring anyway). */
export async function checkWriteRead(outputs: TenantOutputs, signal?: AbortSignal, session?: CheckSession): Promise<void> {
  await withTenant(outputs, 'write-read', async (redis) => {
    const key = `${outputs.prefix}paved-check:${randomBytes(6).toString('hex')}`;
    const value = randomBytes(8).toString('hex');
    // Sent together (one round trip): the server runs one connection's commands in order, so
    // the key is read before it is removed, and removed whatever the write and read did.
    const [, read] = await Promise.all([redis.set(key, value, 'PX', 60_000), redis.get(key), redis.unlink(key).catch(() => 0)]);
    if (read !== value) throw failed('write-read', `user "${outputs.username}" read back something else from "${key}"`);
  }, signal, session);
}

/**
 * The credentials must be refused a key outside the prefix (read and write) and the commands
 * that list the keyspace. The probe key is random and the write is refused, so nothing is left.
 */
export async function checkIsolation(outputs: TenantOutputs, signal?: AbortSignal, session?: CheckSession): Promise<void> {
  await withTenant(outputs, 'isolation', async (redis) => {
    const outside = `paved-isolation-probe:${randomBytes(6).toString('hex')}`;
    const attempts: [string, (r: Redis) => Promise<unknown>][] = [
      [`read key "${outside}" outside its prefix "${outputs.prefix}"`, (r) => r.get(outside)],
      [`write key "${outside}" outside its prefix "${outputs.prefix}"`, (r) => r.set(outside, 'x', 'PX', 1_000)],
      ['list keys with SCAN', (r) => r.scan('0', 'COUNT', 10)],
      ['list keys with KEYS', (r) => r.keys('*')],
      ['switch database with SELECT', (r) => r.call('SELECT', '1')],
    ];
    // Every probe is sent at once (one round trip; the server answers them in order) and the
    // first one that was not refused is reported, as if they had run one by one. SELECT goes
    // last, so a (wrongly) allowed switch cannot move the earlier probes to another database.
    // A probe that failed for another reason (the server went away mid-check) proves nothing
    // either way: that error is the check's outcome, not a breach of isolation.
    const outcomes = await Promise.all(attempts.map(([, attempt]) => attempt(redis).then(
      () => ({ refused: false }),
      (error: Error) => (/NOPERM|no permissions/i.test(error.message) ? { refused: true } : { refused: false, error }),
    )));
    for (const [index, [what]] of attempts.entries()) {
      const outcome = outcomes[index]!;
      if ('error' in outcome) throw outcome.error;
      if (!outcome.refused) {
        // Clean up our own probe if the write went through, then report what did not hold.
        await redis.unlink(outside).catch(() => {});
        throw failed('isolation', `user "${outputs.username}" could ${what}`);
      }
    }
  }, signal, session);
}

/** The outputs of the instance's mode: a dedicated server's have no prefix. */
function tenantOutputs(instance: DriverInstance, outputs: Record<string, string>, what: string): TenantOutputs {
  return requireOutputs(outputs, what, { prefix: !isDedicated(instance) });
}

export const checks: readonly ContractCheck[] = Object.freeze([
  {
    name: 'connect',
    description: 'Logs in with the issued username and password and gets PONG.',
    run: ({ instance, outputs, signal, session }) => checkConnect(tenantOutputs(instance, outputs, 'connect'), signal, session),
  },
  {
    name: 'write-read',
    description: 'Writes a key (under the instance prefix on a shared server), reads it back and removes it.',
    run: ({ instance, outputs, signal, session }) =>
      isDedicated(instance)
        ? checkServerWriteRead(tenantOutputs(instance, outputs, 'write-read'), signal, session)
        : checkWriteRead(tenantOutputs(instance, outputs, 'write-read'), signal, session),
  },
  {
    name: 'isolation',
    description:
      'Shared: cannot read or write a key outside the prefix, nor list keys (SCAN, KEYS) or SELECT another database. Dedicated: the server refuses clients without the password, and the tenant CONFIG SET, ACL, MODULE, REPLICAOF and MIGRATE.',
    run: ({ instance, outputs, signal, session }) =>
      isDedicated(instance)
        ? checkServerIsolation(tenantOutputs(instance, outputs, 'isolation'), signal, session)
        : checkIsolation(tenantOutputs(instance, outputs, 'isolation'), signal, session),
  },
]);
