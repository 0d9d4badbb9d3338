import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type * as Tar from 'tar';
import { InputError } from '@paved/model';

/** tar, loaded by a backup or a restore: `paved up` imports these modules and never needs it. */
const tarModule = (): Promise<typeof Tar> => import('tar');

/**
 * A backup is one gzipped tar: `manifest.json` (what is in it and each file's sha256), `store/`
 * (the SQLite snapshot) and `postgres/` (the embedded cluster's copy, when there is one). The
 * master key is never in it (docs/operations.md says why): the manifest names the key ids the
 * secrets need, so a restore can say which key to bring before it changes anything.
 */
export const BACKUP_FORMAT = 'paved-backup';
export const BACKUP_VERSION = 1;
export const STORE_FILE = 'store/paved.db';
export const CLUSTER_DIR = 'postgres';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  createdAt: string;
  paved: string;
  /** The ids of the master keys the stored secrets are sealed with, and how many each seals. */
  masterKeys: { id: string; secrets: number }[];
  /** Always false: the master key is kept apart from backups. */
  masterKeyIncluded: false;
  instances: number;
  embeddedPostgres?: { pgVersion: string; databases: string[] };
  /** sha256 of every file, by path inside the archive. */
  files: Record<string, string>;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** sha256 of every file under `dir`, by its path relative to `dir`. */
export async function checksums(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = await sha256(path);
  }
  return out;
}

/** Packs `staging` (with its manifest) into `file`: written beside it under a temporary name, then renamed, so `file` is whole or absent. */
export async function writeArchive(staging: string, manifest: BackupManifest, file: string): Promise<void> {
  await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  const partial = `${file}.partial-${randomBytes(4).toString('hex')}`;
  try {
    const entries = (await readdir(staging)).sort();
    await (await tarModule()).create({ gzip: true, file: partial, cwd: staging, portable: true, mode: 0o600 } as Tar.TarOptionsWithAliasesAsyncFile, entries);
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

function invalid(file: string, why: string): InputError {
  return new InputError(`${file} is not a Paved backup this version can restore: ${why}`, { code: 'backup_invalid', issues: [{ path: 'FILE', message: why }] });
}

/** Unpacks `file` into `into` and checks it: the manifest's format, and every file against its sha256. */
export async function readArchive(file: string, into: string): Promise<BackupManifest> {
  try {
    await (await tarModule()).extract({ file, cwd: into, strict: true, preserveOwner: false });
  } catch (error) {
    throw invalid(file, `it cannot be unpacked (${(error as Error).message})`);
  }
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(join(into, 'manifest.json'), 'utf8')) as BackupManifest;
  } catch {
    throw invalid(file, 'it has no readable manifest.json');
  }
  if (manifest.format !== BACKUP_FORMAT || manifest.version !== BACKUP_VERSION) throw invalid(file, `its manifest says ${JSON.stringify(manifest.format)} version ${JSON.stringify(manifest.version)}`);
  const actual = await checksums(into);
  delete actual['manifest.json'];
  for (const [path, digest] of Object.entries(manifest.files)) {
    if (actual[path] !== digest) throw invalid(file, `${path} ${actual[path] === undefined ? 'is missing' : 'does not match its checksum'}`);
  }
  const extra = Object.keys(actual).filter((path) => !(path in manifest.files));
  if (extra.length > 0) throw invalid(file, `${extra[0]} is not in its manifest`);
  if (!(STORE_FILE in manifest.files)) throw invalid(file, `it holds no ${STORE_FILE}`);
  return manifest;
}
