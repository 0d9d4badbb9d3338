import type { DriverContext, Observation } from '@paved/driver-api';
import type { TargetConnection } from './admin-clients.js';
import { REFUSED_PROBES, assertExternalName, currentUser, keyPrefix, passwordHash } from './acl-rules.js';
import { wrapRedisError } from './redis-errors.js';
import { publicOutputs } from './outputs.js';

/** ACL GETUSER's reply as a map: flags, passwords (sha256 hex), commands, keys, channels, selectors. */
type AclUser = Map<string, unknown>;

export async function getUser(connection: TargetConnection, user: string): Promise<AclUser | undefined> {
  const reply = (await connection.redis.call('ACL', 'GETUSER', user)) as unknown[] | null;
  if (!reply) return undefined;
  const fields = new Map<string, unknown>();
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), reply[i + 1]);
  return fields;
}

/**
 * What exists for the instance's current credential and how it differs from what Paved wants.
 * Reads only: ACL GETUSER, and ACL DRYRUN of the commands a tenant must be refused, so drift
 * in the command rules is judged by what the user can do, not by how this Redis version prints
 * the rules. The tenant's keys are not counted here: that is a SCAN of the whole keyspace.
 */
export async function observe(connection: TargetConnection, ctx: DriverContext): Promise<Observation> {
  const externalName = assertExternalName(ctx.instance);
  const user = currentUser(ctx.instance);
  const prefix = keyPrefix(externalName);
  try {
    const found = await getUser(connection, user);
    if (!found) return { exists: false, upToDate: false, diff: [] };
    const diff: string[] = [];
    const flags = (found.get('flags') as string[] | undefined) ?? [];
    if (!flags.includes('on')) diff.push(`user "${user}" is disabled`);
    const passwords = (found.get('passwords') as string[] | undefined) ?? [];
    const password = ctx.secrets.password;
    if (password && !passwords.includes(passwordHash(password))) diff.push(`user "${user}" does not accept the issued password`);
    const others = passwords.filter((hash) => !password || hash !== passwordHash(password)).length;
    if (others > 0) diff.push(`user "${user}" accepts ${others} other password(s)`);
    if (flags.includes('nopass')) diff.push(`user "${user}" accepts any password`);
    if (found.get('keys') !== `~${prefix}*`) diff.push(`user "${user}" may use keys "${String(found.get('keys'))}", wants "~${prefix}*"`);
    if (found.get('channels') !== `&${prefix}*`) diff.push(`user "${user}" may use channels "${String(found.get('channels'))}", wants "&${prefix}*"`);
    if (((found.get('selectors') as unknown[] | undefined) ?? []).length > 0) diff.push(`user "${user}" has extra selectors`);
    diff.push(...(await commandDrift(connection, user, prefix)));
    return { exists: true, upToDate: diff.length === 0, diff, outputs: publicOutputs(connection.config, externalName, user) };
  } catch (error) {
    throw wrapRedisError(error, 'observe', user, [], connection.whyDown());
  }
}

/** One pipelined round trip of ACL DRYRUN: refused probes must stay refused, own keys writable. */
async function commandDrift(connection: TargetConnection, user: string, prefix: string): Promise<string[]> {
  const pipeline = connection.redis.pipeline();
  const ownWrite = ['set', `${prefix}paved-probe`, 'x'];
  for (const probe of [ownWrite, ...REFUSED_PROBES]) pipeline.call('ACL', 'DRYRUN', user, ...probe);
  const replies = (await pipeline.exec()) ?? [];
  const diff: string[] = [];
  replies.forEach(([error, reply], index) => {
    if (error) throw error;
    const allowed = reply === 'OK';
    if (index === 0) {
      if (!allowed) diff.push(`user "${user}" cannot write keys under "${prefix}"`);
    } else if (allowed) {
      diff.push(`user "${user}" may run "${(REFUSED_PROBES[index - 1] ?? []).join(' ')}"`);
    }
  });
  return diff;
}
