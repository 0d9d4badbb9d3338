import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isTargetUnreachable } from '@paved/driver-api';
import { InputError, UnavailableError } from '@paved/model';
import { createSecretStore, openKeyring, type SecretStore } from '@paved/secrets';
import { createStore, isPostgresUrl } from '@paved/store';
import type { PavedConfig } from '../config.js';
import { embeddedCluster, EMBEDDED_SECRET, startEmbeddedPostgres } from '../embedded-postgres/index.js';
import { PAVED_VERSION } from '../start-paved.js';
import { BACKUP_FORMAT, BACKUP_VERSION, checksums, CLUSTER_DIR, STORE_FILE, writeArchive, type BackupManifest } from './archive.js';
import { copyRunningCluster, type ClusterCopy } from './cluster-copy.js';

export interface BackupReport {
  file: string;
  manifest: BackupManifest;
}

/** Refuses anything but the embedded default's SQLite store, naming what to use instead. */
export function requireSqliteStore(config: PavedConfig, command: string): void {
  if (isPostgresUrl(config.databaseUrl)) {
    throw new InputError(`${command} covers the embedded default (a SQLite store in the data folder); a PostgreSQL store (PAVED_DATABASE_URL) is backed up with PostgreSQL's own tools, such as pg_dump`, {
      code: 'backup_unsupported_store',
      issues: [{ path: 'PAVED_DATABASE_URL', message: 'is a PostgreSQL store' }],
    });
  }
}

/**
 * The embedded cluster's copy, taken while it runs: Paved's own server when `paved up` is running,
 * otherwise one started for the backup and stopped after it.
 */
async function copyCluster(config: PavedConfig, clusterDir: string, secrets: SecretStore, target: string, progress: (line: string) => void): Promise<ClusterCopy> {
  const password = (await secrets.get(EMBEDDED_SECRET.owner, EMBEDDED_SECRET.name))?.password;
  if (password === undefined) throw new UnavailableError(`the embedded PostgreSQL cluster in ${clusterDir} has no admin password in this store (is PAVED_DATA_DIR the data folder of the Paved to back up?)`, { code: 'embedded_postgres_orphaned' });
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${config.embeddedPostgres.port}/postgres`;
  try {
    return await copyRunningCluster(clusterDir, url, target, progress);
  } catch (error) {
    if (!isTargetUnreachable(error)) throw error;
  }
  progress('the embedded PostgreSQL server is not running: starting it for the backup');
  const server = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgres.port, secrets, onProgress: progress });
  try {
    return await copyRunningCluster(clusterDir, url, target, progress);
  } finally {
    await server.stop();
  }
}

/**
 * `paved backup FILE`: the embedded default in one archive, taken while Paved runs: a
 * consistent snapshot of the SQLite store (SQLite's online backup API), the embedded
 * PostgreSQL cluster (copied online, see cluster-copy.ts) and a manifest. Not the master key.
 */
export async function backupPaved(config: PavedConfig, file: string, progress: (line: string) => void = () => {}): Promise<BackupReport> {
  requireSqliteStore(config, 'paved backup');
  const out = resolve(file);
  if (existsSync(out)) throw new InputError(`${out} exists already; name a new file`, { code: 'backup_exists', issues: [{ path: 'FILE', message: 'exists' }] });
  if (!existsSync(config.databaseUrl)) throw new InputError(`there is no Paved store at ${config.databaseUrl} (is PAVED_DATA_DIR the data folder of the Paved to back up?)`, { code: 'backup_no_store' });
  await mkdir(dirname(out), { recursive: true });
  const staging = await mkdtemp(join(dirname(out), '.paved-backup-'));
  const store = await createStore({ url: config.databaseUrl });
  try {
    const secrets = createSecretStore({ store, keyring: openKeyring({ envValue: config.masterKey, keyFile: config.masterKeyFile }).source });
    let cluster: ClusterCopy | undefined;
    // The cluster first, then the store: an instance created between the two is in the store
    // but not the cluster, and Paved re-creates a missing resource after a restore (drift).
    const { dir: clusterDir } = await embeddedCluster(config.dataDir, { createAccount: false });
    if (existsSync(join(clusterDir, 'PG_VERSION'))) cluster = await copyCluster(config, clusterDir, secrets, join(staging, CLUSTER_DIR), progress);
    progress(`snapshotting the store ${config.databaseUrl}`);
    await mkdir(join(staging, dirname(STORE_FILE)), { recursive: true, mode: 0o700 });
    await store.snapshot(join(staging, STORE_FILE));
    const snapshot = await createStore({ url: join(staging, STORE_FILE) });
    let masterKeys: BackupManifest['masterKeys'];
    let instances: number;
    try {
      masterKeys = Object.entries(await snapshot.countSecretsByKey()).map(([id, secrets]) => ({ id, secrets }));
      instances = await snapshot.countInstances({});
    } finally {
      await snapshot.close();
    }
    progress('writing the archive');
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: new Date().toISOString(),
      paved: PAVED_VERSION,
      masterKeys,
      masterKeyIncluded: false,
      instances,
      ...(cluster === undefined ? {} : { embeddedPostgres: { pgVersion: cluster.pgVersion, databases: cluster.databases } }),
      files: await checksums(staging),
    };
    await writeArchive(staging, manifest, out);
    return { file: out, manifest };
  } finally {
    await store.close();
    await rm(staging, { recursive: true, force: true });
  }
}
