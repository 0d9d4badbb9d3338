/**
 * Create, update and rotate of a dedicated plan: the instance's own redis-server, made so step
 * by step. Each step looks first, so a retry after a crash anywhere converges on one server:
 * the port claim is found again, the files are rewritten, a running server is adopted (never a
 * second one started), and the users and settings are set again.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { requireSecret, type ApplyResult, type DriverContext } from '@paved/driver-api';
import { assertExternalName, passwordHash } from '../acl-rules.js';
import { wrapRedisError } from '../redis-errors.js';
import { readiness, withAdmin } from './admin.js';
import { ADMIN_USER, DEFAULT_USER_RULES, TENANT_USER, renderAcl, renderConf, saveDirective } from './conf-file.js';
import { adminSecret, claimPort, filesOf, type InstanceFiles } from './layout.js';
import { dedicatedOutputs } from './outputs.js';
import { runningPid, startServer, stopServer, waitUntilReady } from './process.js';
import { readServersConfig, wantedServer, type ServersConfig, type WantedServer } from './servers-config.js';
import { makePrivateFolder } from './private-folder.js';

export async function provisionServer(ctx: DriverContext): Promise<ApplyResult> {
  const externalName = assertExternalName(ctx.instance);
  const config = readServersConfig(ctx.target);
  const wanted = wantedServer(ctx.instance);
  const password = requireSecret('redis', ctx, 'password');
  const files = filesOf(config, externalName);
  const redact = [password, passwordHash(password)];

  const step = async <T>(stepName: string, run: () => Promise<T>): Promise<T> => {
    // Between steps is where a crash (or a cancelled reconcile) may stop us.
    ctx.signal.throwIfAborted();
    try {
      return await run();
    } catch (error) {
      throw wrapRedisError(error, stepName, externalName, redact);
    }
  };

  const port = await step('claim-port', () => claimPort(config, externalName));
  const admin = await step('write-files', async () => {
    await makePrivateFolder(config.dataDir, files.data);
    const secret = await adminSecret(files);
    await writeWhole(files.conf, renderConf(config, files, port, wanted, externalName));
    // A running server keeps its users in memory (and saves them itself); one about to start
    // reads them from here. A restart during a rotation's grace period keeps the current
    // password only.
    if ((await runningPid(files)) === undefined) await writeWhole(files.acl, renderAcl([passwordHash(password)], passwordHash(secret)));
    return secret;
  });
  await step('start-server', () => ensureRunning(config, files, port, admin));
  await step('ensure-users', () =>
    withAdmin(config, port, admin, async (redis) => {
      // No `reset` and no `resetpass`: during a rotation's grace period the previous password
      // stays valid until revoke (rotation.ts). Adding a password also clears `nopass`.
      await redis.call('ACL', 'SETUSER', TENANT_USER, 'on', `#${passwordHash(password)}`, ...DEFAULT_USER_RULES);
      await redis.call('ACL', 'SETUSER', ADMIN_USER, 'reset', 'on', `#${passwordHash(admin)}`, '~*', '&*', '+@all');
      await redis.call('ACL', 'SAVE');
    }),
  );
  await step('apply-settings', () => withAdmin(config, port, admin, (redis) => applySettings(redis, wanted)));
  return { outputs: dedicatedOutputs(config, port, password) };
}

/**
 * Starts the server unless it runs. One that runs but is still loading its data is waited for;
 * one that runs but does not answer Paved where it should (a changed bind) is restarted.
 */
async function ensureRunning(config: ServersConfig, files: InstanceFiles, port: number, admin: string): Promise<void> {
  const ready = () => readiness(config, port, admin);
  if ((await runningPid(files)) !== undefined) {
    const state = await ready();
    if (state === 'ready') return;
    if (state === 'loading') return waitUntilReady(files, ready);
    await stopServer(files, 'SIGTERM');
  }
  await startServer(config.redisServer, files, ready);
}

/** The plan's settings that differ on the running server: [name, current, wanted]. */
export async function settingsDiff(redis: Redis, wanted: WantedServer): Promise<[string, string, string][]> {
  const reply = (await redis.call('CONFIG', 'GET', 'maxmemory', 'maxmemory-policy', 'appendonly', 'save')) as string[];
  const current = new Map<string, string>();
  for (let i = 0; i + 1 < reply.length; i += 2) current.set(reply[i]!, reply[i + 1]!);
  const want: [string, string][] = [
    ['maxmemory', String(wanted.maxmemory)],
    ['maxmemory-policy', wanted.maxmemoryPolicy],
    ['appendonly', wanted.persistence === 'aof' ? 'yes' : 'no'],
    ['save', saveDirective(wanted)],
  ];
  return want.filter(([name, value]) => current.get(name) !== value).map(([name, value]) => [name, current.get(name) ?? '', value]);
}

/** Sets them (CONFIG SET takes effect at once; Paved's config file already says the same). */
async function applySettings(redis: Redis, wanted: WantedServer): Promise<void> {
  for (const [name, , value] of await settingsDiff(redis, wanted)) await redis.call('CONFIG', 'SET', name, value);
}

/** Writes a file whole or not at all: a crash mid-write leaves the previous one. */
async function writeWhole(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}
