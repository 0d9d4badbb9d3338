import { randomBytes } from 'node:crypto';
import { chmod, chown, copyFile, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type pg from 'pg';

/** pg, loaded by a backup or a restore: `paved up` imports these modules and never needs it. */
export const pgClient = async (): Promise<typeof pg.Client> => (await import('pg')).default.Client;

/**
 * A copy of the embedded PostgreSQL cluster taken while it runs, as pg_basebackup takes one (the
 * embedded binaries ship no pg_dump or pg_basebackup), with PostgreSQL's low-level backup API:
 *
 * 1. a temporary physical replication slot keeps every WAL segment from now on (it goes away
 *    with the session, so a crash leaves nothing behind);
 * 2. pg_backup_start marks the start (a checkpoint) and forces full-page writes;
 * 3. the data folder is copied file by file while the server writes on (a page torn by the copy
 *    is restored from the WAL), leaving out what pg_basebackup leaves out;
 * 4. pg_backup_stop marks the end and switches to a new WAL segment, so every record up to
 *    the end is in a complete segment; then pg_wal is copied, and the label it returns is
 *    written as backup_label.
 *
 * Started on a copy like that, PostgreSQL replays the WAL from the start checkpoint past the
 * end mark and opens a consistent cluster (the tenants' data as of the end of the backup).
 */

/** Folders whose contents are never copied (runtime state); the folders themselves are kept. */
const EMPTY_DIRS = new Set(['pg_dynshmem', 'pg_notify', 'pg_replslot', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans', 'pg_wal']);
const SKIPPED_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map', 'pg_internal.init', 'current_logfiles', 'backup_label.old']);

export interface ClusterCopy {
  /** PostgreSQL's major version (PG_VERSION). */
  pgVersion: string;
  /** The tenants' databases in the cluster when the copy ended. */
  databases: string[];
  files: number;
  bytes: number;
}

/** Copies `source` to `target`, a file that vanished meanwhile being no error (a dropped table). */
async function copyTree(source: string, target: string, top: string, counts: { files: number; bytes: number }): Promise<void> {
  await mkdir(target, { recursive: true, mode: 0o700 });
  let entries;
  try {
    entries = await readdir(source, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    const path = relative(top, from);
    if (entry.isDirectory()) {
      if (EMPTY_DIRS.has(path) || entry.name.startsWith('pgsql_tmp')) await mkdir(to, { recursive: true, mode: 0o700 });
      else await copyTree(from, to, top, counts);
      continue;
    }
    if (SKIPPED_FILES.has(entry.name) || !entry.isFile()) continue;
    try {
      await copyFile(from, to);
      counts.files++;
      counts.bytes += (await lstat(to)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** Copies the running cluster at `clusterDir` (reached as its superuser through `url`) into `target`. */
export async function copyRunningCluster(clusterDir: string, url: string, target: string, progress: (line: string) => void): Promise<ClusterCopy> {
  const client = new (await pgClient())({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const slot = `paved_backup_${randomBytes(4).toString('hex')}`;
    await client.query('SELECT pg_create_physical_replication_slot($1, true, true)', [slot]);
    await client.query("SELECT pg_backup_start('paved backup', true)");
    const counts = { files: 0, bytes: 0 };
    let stopped: { labelfile: string; spcmapfile: string | null };
    try {
      progress(`copying the embedded PostgreSQL cluster from ${clusterDir}`);
      await copyTree(clusterDir, target, clusterDir, counts);
    } finally {
      // Always end the backup, or the server keeps forcing full-page writes.
      stopped = (await client.query<{ labelfile: string; spcmapfile: string | null }>('SELECT labelfile, spcmapfile FROM pg_backup_stop(false)')).rows[0]!;
    }
    // Every WAL segment since the start, the one holding the end mark included (the slot kept them).
    for (const entry of await readdir(join(clusterDir, 'pg_wal'), { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      await copyFile(join(clusterDir, 'pg_wal', entry.name), join(target, 'pg_wal', entry.name));
      counts.files++;
    }
    await mkdir(join(target, 'pg_wal', 'archive_status'), { recursive: true, mode: 0o700 });
    await writeFile(join(target, 'backup_label'), stopped.labelfile, { mode: 0o600 });
    if (stopped.spcmapfile) await writeFile(join(target, 'tablespace_map'), stopped.spcmapfile, { mode: 0o600 });
    const databases = (await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY datname")).rows.map((r) => r.datname);
    const pgVersion = (await client.query<{ v: string }>("SELECT current_setting('server_version_num')::int / 10000 AS v")).rows[0]!.v.toString();
    progress(`copied ${counts.files} files (${(counts.bytes / 1024 / 1024).toFixed(1)} MB) of the embedded PostgreSQL cluster`);
    return { pgVersion, databases, ...counts };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Makes a restored cluster folder the server's own: mode 0700, and owned by its account (as root). */
export async function claimCluster(dir: string, account: { uid: number; gid: number } | undefined): Promise<void> {
  const walk = async (path: string): Promise<void> => {
    const stat = await lstat(path);
    if (account) await chown(path, account.uid, account.gid);
    if (stat.isDirectory()) {
      await chmod(path, 0o700);
      for (const name of await readdir(path)) await walk(join(path, name));
    } else {
      await chmod(path, 0o600);
    }
  };
  await walk(dir);
}
