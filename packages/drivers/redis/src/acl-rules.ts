import { createHash } from 'node:crypto';
import { DriverError } from '@paved/model';
import { credentialName, type DriverInstance } from '@paved/driver-api';

/** What externalName must look like: it becomes a user name and a glob, so no glob characters. */
const EXTERNAL_NAME = /^[a-z0-9_]{1,56}$/;

/**
 * Command rules of every tenant user, after `~prefix*` and `&prefix*`. Each exclusion closes a
 * way to see or change what lies outside the prefix (docs/drivers/redis.md; traps.test.ts):
 * - @dangerous: KEYS, FLUSHALL/FLUSHDB, SWAPDB, INFO, MONITOR, CLIENT LIST/KILL, MIGRATE,
 *   SORT (its BY/GET patterns read any key), RESTORE, DEBUG, CONFIG, SLOWLOG, ACL…
 * - @admin: whatever a later Redis adds there.
 * - scan / randomkey / dbsize: list, sample or count every tenant's keys.
 * - select / move / copy (COPY … DB n): write into another logical database, outside cleanup.
 * - client|tracking: BCAST mode without a prefix receives other tenants' key names.
 * - pubsub: PUBSUB CHANNELS lists every tenant's active channels.
 * - function: the function library is server-wide; LIST shows, FLUSH/DELETE destroy others'.
 * - script|flush / script|kill / script|debug: act on the server-wide script cache or block it.
 * - memory|stats|doctor|malloc-stats|purge: server-wide figures and a server-wide action.
 * EVAL stays: inside a script every redis.call is checked against the caller's ACL.
 */
export const TENANT_COMMAND_RULES: readonly string[] = Object.freeze([
  '+@all',
  '-@dangerous',
  '-@admin',
  '-scan',
  '-randomkey',
  '-dbsize',
  '-select',
  '-swapdb',
  '-move',
  '-copy',
  '-client|tracking',
  '-pubsub',
  '-function',
  '-script|flush',
  '-script|kill',
  '-script|debug',
  '-memory|stats',
  '-memory|doctor',
  '-memory|malloc-stats',
  '-memory|purge',
]);

/** Commands a tenant user must be refused, as probes for observe (ACL DRYRUN) and the tests. */
export const REFUSED_PROBES: readonly (readonly string[])[] = Object.freeze([
  ['keys', '*'],
  ['scan', '0'],
  ['randomkey'],
  ['dbsize'],
  ['flushall'],
  ['flushdb'],
  ['select', '1'],
  ['swapdb', '0', '1'],
  ['client', 'list'],
  ['client', 'kill', 'id', '1'],
  ['client', 'tracking', 'on', 'bcast'],
  ['monitor'],
  ['info'],
  ['pubsub', 'channels'],
  ['function', 'flush'],
  ['script', 'flush'],
  ['config', 'get', 'maxmemory'],
  ['acl', 'list'],
]);

export function assertExternalName(instance: DriverInstance): string {
  const name = instance.externalName;
  if (!EXTERNAL_NAME.test(name)) {
    throw new DriverError(`redis: external name "${name}" must be 1–56 characters of [a-z0-9_]`, {
      code: 'invalid_value',
      retryable: false,
      issues: [{ path: 'instance.externalName', message: 'must be 1–56 characters of [a-z0-9_]' }],
    });
  }
  return name;
}

/** The key (and channel) prefix of an instance: every credential of it shares it. */
export function keyPrefix(externalName: string): string {
  return `${externalName}:`;
}

/** The ACL user of the instance's current credential. */
export function currentUser(instance: DriverInstance): string {
  return credentialName(assertExternalName(instance), instance.rotation ?? 0);
}

/** Redis keeps SHA-256 hex of passwords; sending `#<hex>` keeps the plaintext off the server. */
export function passwordHash(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

/** The whole ACL SETUSER argument list: `reset` first, so the command is a full, atomic replace. */
export function setUserArgs(user: string, externalName: string, password: string): string[] {
  const prefix = keyPrefix(externalName);
  return ['SETUSER', user, 'reset', 'on', `#${passwordHash(password)}`, `~${prefix}*`, `&${prefix}*`, ...TENANT_COMMAND_RULES];
}
