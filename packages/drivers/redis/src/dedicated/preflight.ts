/**
 * Can this host run dedicated servers for the target? The redis-server executable and its
 * version, a data folder Paved can write, a bind address of this host, and /proc (by which a
 * server is recognised as the instance's). Never throws.
 */
import { execFile } from 'node:child_process';
import { readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { errorLine, type PreflightResult } from '@paved/driver-api';
import { portFree } from './layout.js';
import type { ServersConfig } from './servers-config.js';
import { makePrivateFolder } from './private-folder.js';

const run = promisify(execFile);

export async function preflightServers(config: ServersConfig): Promise<PreflightResult> {
  const problems: string[] = [];
  const warnings: string[] = [];
  let version: string | undefined;
  try {
    const { stdout } = await run(config.redisServer, ['--version'], { timeout: 10_000 });
    version = /v=(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
    if (version === undefined || Number(version.split('.')[0]) < 7) problems.push(`${config.redisServer} is ${version ?? 'of an unknown version'}; dedicated servers need Redis 7.0 or later (ACL DRYRUN, protected configs)`);
  } catch (error) {
    problems.push(`cannot run ${config.redisServer} (${errorLine(error)}); install redis-server or set config.servers.redisServer to its path`);
  }
  try {
    await makePrivateFolder(config.dataDir);
    const probe = join(config.dataDir, `.paved-preflight-${process.pid}`);
    await writeFile(probe, '');
    await unlink(probe);
  } catch (error) {
    problems.push(`cannot write in config.servers.dataDir ${config.dataDir} (${errorLine(error)}); create it, owned by the user Paved runs as`);
  }
  try {
    await portFree(config.bind, 0);
  } catch (error) {
    problems.push(`config.servers.bind ${config.bind} is not an address of this host (${errorLine(error)}); servers run on the host of the Paved worker`);
  }
  if (!(await stat('/proc/self/cmdline').then(() => true, () => false))) problems.push('this host has no /proc, by which Paved recognises the servers it started; dedicated servers need Linux');
  const claimed = await readdir(join(config.dataDir, 'ports')).then((names) => names.length, () => 0);
  const size = config.lastPort - config.firstPort + 1;
  if (claimed >= size * 0.9) warnings.push(`${claimed} of the ${size} ports of config.servers.ports are taken; widen the range`);
  return { ok: problems.length === 0, problems, ...(version ? { version: `Redis ${version}` } : {}), warnings };
}
