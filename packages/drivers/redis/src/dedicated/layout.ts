/**
 * Where an instance's server lives on the host: `<dataDir>/<externalName>/` holds the config
 * file and aclfile Paved writes, the pid file and log the server writes, the secret of Paved's
 * own user on that server, and `data/` for its RDB and AOF files. Ports are claimed with one
 * file each under `<dataDir>/ports/`, created exclusively, so two workers (or two creates at
 * once) never hand out the same port, and a retry finds the port it claimed before.
 */
import { randomBytes } from 'node:crypto';
import { readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DriverError } from '@paved/model';
import type { ServersConfig } from './servers-config.js';
import { makePrivateFolder } from './private-folder.js';

export interface InstanceFiles {
  dir: string;
  conf: string;
  acl: string;
  pid: string;
  log: string;
  data: string;
  /** Password of Paved's own ACL user on the instance's server, readable by Paved only. */
  adminSecret: string;
}

export function filesOf(config: ServersConfig, externalName: string): InstanceFiles {
  const dir = join(config.dataDir, externalName);
  return {
    dir,
    conf: join(dir, 'redis.conf'),
    acl: join(dir, 'users.acl'),
    pid: join(dir, 'redis.pid'),
    log: join(dir, 'redis.log'),
    data: join(dir, 'data'),
    adminSecret: join(dir, 'paved-admin.secret'),
  };
}

const portsDir = (config: ServersConfig) => join(config.dataDir, 'ports');

/** The port claimed for `externalName`, if any. */
export async function claimedPort(config: ServersConfig, externalName: string): Promise<number | undefined> {
  let names: string[];
  try {
    names = await readdir(portsDir(config));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  for (const name of names) {
    const owner = await readFile(join(portsDir(config), name), 'utf8').catch(() => '');
    if (owner === externalName && /^\d+$/.test(name)) return Number(name);
  }
  return undefined;
}

/**
 * The instance's port: the one it claimed before, else the first of the range that no claim
 * holds and nothing listens on. The claim file is created exclusively ('wx'): of two claimants
 * only one succeeds.
 */
export async function claimPort(config: ServersConfig, externalName: string): Promise<number> {
  const existing = await claimedPort(config, externalName);
  if (existing !== undefined) return existing;
  await makePrivateFolder(config.dataDir, portsDir(config));
  for (let port = config.firstPort; port <= config.lastPort; port++) {
    const claim = join(portsDir(config), String(port));
    try {
      await writeFile(claim, externalName, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    if (await portFree(config.bind, port)) return port;
    // Something that is not ours listens there: leave the port to it.
    await unlink(claim).catch(() => {});
  }
  throw new DriverError(`redis: no free port left in ${config.firstPort}-${config.lastPort} for "${externalName}"; widen config.servers.ports`, {
    code: 'capacity_exhausted',
    retryable: false,
    issues: [{ path: 'config.servers.ports', message: 'has no free port left' }],
  });
}

/** Removes the instance's port claim (only a claim that names it). */
export async function releasePort(config: ServersConfig, externalName: string): Promise<void> {
  const port = await claimedPort(config, externalName);
  if (port !== undefined) await unlink(join(portsDir(config), String(port))).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Whether nothing listens on bind:port (an address not of this host is an error, not "busy"). */
export function portFree(bind: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    probe.listen(port, bind, () => probe.close(() => resolve(true)));
  });
}

/** The admin secret of the instance's server, made on first use and kept in its folder. */
export async function adminSecret(files: InstanceFiles): Promise<string> {
  try {
    await writeFile(files.adminSecret, randomBytes(24).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await readFile(files.adminSecret, 'utf8')).trim();
}

/** The admin secret if the instance's folder has one (observe creates nothing). */
export async function readAdminSecret(files: InstanceFiles): Promise<string | undefined> {
  const text = await readFile(files.adminSecret, 'utf8').catch(() => undefined);
  return text?.trim() || undefined;
}
