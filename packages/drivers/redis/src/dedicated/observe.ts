import { stat } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { DriverContext, Observation } from '@paved/driver-api';
import { assertExternalName, passwordHash } from '../acl-rules.js';
import { wrapRedisError } from '../redis-errors.js';
import { withAdmin } from './admin.js';
import { TENANT_USER } from './conf-file.js';
import { claimedPort, filesOf, readAdminSecret } from './layout.js';
import { dedicatedPublicOutputs } from './outputs.js';
import { runningPid } from './process.js';
import { settingsDiff } from './provision.js';
import { readServersConfig, wantedServer } from './servers-config.js';

/** What the tenant's user must be refused on its own server, probed with ACL DRYRUN. */
export const SERVER_REFUSED_PROBES: readonly (readonly string[])[] = Object.freeze([
  ['config', 'set', 'maxmemory', '0'],
  ['config', 'rewrite'],
  ['acl', 'setuser', 'x'],
  ['module', 'load', '/tmp/x.so'],
  ['shutdown'],
  ['replicaof', '127.0.0.1', '1'],
  ['migrate', '127.0.0.1', '1', 'k', '0', '1'],
  ['debug', 'sleep', '0'],
]);

/**
 * What exists of the instance's server and how it differs from the plan. Reads only: the
 * port claim and folder, the process (by pid file and /proc), and, as Paved's user on that
 * server, which process answers on the port, its settings and the tenant's user.
 */
export async function observeServer(ctx: DriverContext): Promise<Observation> {
  const externalName = assertExternalName(ctx.instance);
  const config = readServersConfig(ctx.target);
  const wanted = wantedServer(ctx.instance);
  const files = filesOf(config, externalName);
  try {
    const port = await claimedPort(config, externalName);
    const folder = await stat(files.dir).then(() => true, () => false);
    if (port === undefined && !folder) return { exists: false, upToDate: false, diff: [] };
    if (port === undefined) return { exists: true, upToDate: false, diff: [`no port is claimed for the server in ${files.dir}`] };
    const outputs = dedicatedPublicOutputs(config, port);
    const pid = await runningPid(files);
    if (pid === undefined) return { exists: true, upToDate: false, diff: [`the server process is not running (port ${port})`], outputs };
    const admin = await readAdminSecret(files);
    if (admin === undefined) return { exists: true, upToDate: false, diff: [`the server has no secret for Paved's user in ${files.dir}`], outputs };
    const diff = await withAdmin(config, port, admin, async (redis) => {
      const found: string[] = [];
      const info = String(await redis.call('INFO', 'server'));
      const answering = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
      if (answering !== pid) found.push(`port ${port} is answered by process ${answering}, not the instance's server (pid ${pid})`);
      const [, bind = ''] = (await redis.call('CONFIG', 'GET', 'bind')) as string[];
      if (bind !== config.bind) found.push(`the server listens on "${bind}", the target says "${config.bind}"`);
      for (const [name, current, value] of await settingsDiff(redis, wanted)) found.push(`${name} is "${current}", the plan wants "${value}"`);
      found.push(...(await tenantUserDiff(redis, ctx.secrets.password)));
      return found;
    }).catch((error: unknown) => [`Paved cannot log in to the server on port ${port}: ${wrapRedisError(error, 'observe', externalName).message}`]);
    return { exists: true, upToDate: diff.length === 0, diff, outputs };
  } catch (error) {
    throw wrapRedisError(error, 'observe', externalName);
  }
}

/**
 * The tenant's user: on, accepting the issued password (others may be valid too: the previous
 * credential during a rotation's grace period), never any password, and refused what reaches
 * past the server (judged by ACL DRYRUN, not by how this Redis version prints rules).
 */
async function tenantUserDiff(redis: Redis, password: string | undefined): Promise<string[]> {
  const reply = (await redis.call('ACL', 'GETUSER', TENANT_USER)) as unknown[] | null;
  if (!reply) return [`user "${TENANT_USER}" is missing`];
  const fields = new Map<string, unknown>();
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), reply[i + 1]);
  const flags = (fields.get('flags') as string[] | undefined) ?? [];
  const diff: string[] = [];
  if (!flags.includes('on')) diff.push(`user "${TENANT_USER}" is disabled`);
  if (flags.includes('nopass')) diff.push(`user "${TENANT_USER}" accepts any password`);
  if (password && !((fields.get('passwords') as string[] | undefined) ?? []).includes(passwordHash(password))) diff.push(`user "${TENANT_USER}" does not accept the issued password`);
  const pipeline = redis.pipeline();
  for (const probe of SERVER_REFUSED_PROBES) pipeline.call('ACL', 'DRYRUN', TENANT_USER, ...probe);
  const replies = (await pipeline.exec()) ?? [];
  replies.forEach(([error, answer], index) => {
    if (error) throw error;
    if (answer === 'OK') diff.push(`user "${TENANT_USER}" may run "${(SERVER_REFUSED_PROBES[index] ?? []).join(' ')}"`);
  });
  return diff;
}
