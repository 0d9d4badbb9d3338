import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, UnavailableError } from '@paved/model';
import { createSecretStore, openKeyring, registerKeyring, type KeyringSource } from '@paved/secrets';
import { createStore } from '@paved/store';
import type { PavedConfig } from '../config.js';
import { sharedClusterDir } from '../embedded-postgres/cluster-place.js';
import { embeddedCluster, EMBEDDED_SECRET, startEmbeddedPostgres } from '../embedded-postgres/index.js';
import { CLUSTER_DIR, readArchive, STORE_FILE, type BackupManifest } from './archive.js';
import { requireSqliteStore } from './backup.js';
import { claimCluster, pgClient } from './cluster-copy.js';

export interface RestoreOptions {
  /** A key file to open the backup's secrets with; copied into the data folder as its key file. */
  masterKeyFile?: string;
}

export interface RestoreReport {
  dataDir: string;
  manifest: BackupManifest;
  /** Every secret of the backup, each opened with the master key. */
  secretsRead: number;
  /** The tenants' databases the restored cluster serves. */
  databases: string[];
}

/** The data folder may hold nothing yet, or only the key file the restore is to use. */
async function requireEmptyDataDir(config: PavedConfig): Promise<void> {
  const present = existsSync(config.dataDir) ? await readdir(config.dataDir) : [];
  const others = present.filter((name) => join(config.dataDir, name) !== config.masterKeyFile);
  // A cluster in the data folder counts among its contents; as root one may sit in the fixed place.
  const cluster = sharedClusterDir(config.dataDir);
  if (others.length > 0 || existsSync(join(cluster, 'PG_VERSION'))) {
    throw new InputError(`paved restore needs an empty data folder, and ${others.length > 0 ? `${config.dataDir} holds ${others.join(', ')}` : `${cluster} holds a PostgreSQL cluster`}; choose a new one with --data-dir or PAVED_DATA_DIR`, {
      code: 'restore_target_not_empty',
      issues: [{ path: 'PAVED_DATA_DIR', message: 'is not empty' }],
    });
  }
}

/** The keys to open the backup with, refused before anything is written unless they open every secret's key id. */
function keyringFor(config: PavedConfig, manifest: BackupManifest, options: RestoreOptions): KeyringSource {
  const keyFile = options.masterKeyFile !== undefined ? resolve(options.masterKeyFile) : config.masterKeyFile;
  if (config.masterKey === undefined && !existsSync(keyFile)) {
    throw new InputError(`the backup does not hold the master key (by design); give the key file it needs with --master-key-file, or PAVED_MASTER_KEY`, {
      code: 'restore_needs_master_key',
      issues: [{ path: '--master-key-file', message: 'is required' }],
    });
  }
  const keyring = openKeyring({ envValue: config.masterKey, keyFile }).source;
  const held = new Set(keyring.keys().map((key) => key.id));
  const missing = manifest.masterKeys.filter((entry) => entry.id !== '' && !held.has(entry.id));
  if (missing.length > 0) {
    const ids = missing.map((entry) => `"${entry.id}" (${entry.secrets} secrets)`).join(', ');
    throw new InputError(
      `the backup's secrets are sealed with master key ${ids}, which ${config.masterKey !== undefined ? 'PAVED_MASTER_KEY' : keyFile} does not hold; ` +
        'give the key file of the data folder the backup was taken from (after a rotation: its <file>.before-v<n> copy) with --master-key-file',
      { code: 'restore_needs_master_key', issues: [{ path: '--master-key-file', message: 'does not hold the key the backup needs' }] },
    );
  }
  return keyring;
}

async function moveInto(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await cp(from, to, { recursive: true });
  }
}

/** The restored cluster, started once: PostgreSQL replays its WAL to the end of the backup; then the databases are checked. */
async function restoreCluster(
  config: PavedConfig,
  staging: string,
  place: Awaited<ReturnType<typeof embeddedCluster>>,
  manifest: NonNullable<BackupManifest['embeddedPostgres']>,
  secrets: ReturnType<typeof createSecretStore>,
  progress: (line: string) => void,
): Promise<string[]> {
  const { dir: clusterDir, account } = place;
  await moveInto(join(staging, CLUSTER_DIR), clusterDir);
  await claimCluster(clusterDir, account);
  progress(`starting the restored PostgreSQL cluster in ${clusterDir} (it replays its log to the end of the backup)`);
  const server = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgres.port, secrets, onProgress: progress });
  try {
    const password = (await secrets.get(EMBEDDED_SECRET.owner, EMBEDDED_SECRET.name))!.password!;
    const client = new (await pgClient())({ connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${config.embeddedPostgres.port}/postgres` });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY datname");
      const databases = rows.map((row) => row.datname);
      const lost = manifest.databases.filter((name) => !databases.includes(name));
      if (lost.length > 0) throw new UnavailableError(`the restored PostgreSQL cluster lacks the databases ${lost.join(', ')}`, { code: 'restore_incomplete' });
      return databases;
    } finally {
      await client.end();
    }
  } finally {
    await server.stop();
  }
}

/**
 * `paved restore FILE`: a backup into an empty data folder. Checked before anything is
 * written (the archive's checksums, and that the master key opens every secret's key); then
 * the store is put in place and every secret read back, and the embedded cluster is put in
 * place and started once. `paved up` on that data folder then serves everything again.
 */
export async function restorePaved(config: PavedConfig, file: string, options: RestoreOptions = {}, progress: (line: string) => void = () => {}): Promise<RestoreReport> {
  requireSqliteStore(config, 'paved restore');
  await requireEmptyDataDir(config);
  const archive = resolve(file);
  if (!existsSync(archive)) throw new InputError(`${archive} does not exist`, { code: 'backup_invalid', issues: [{ path: 'FILE', message: 'does not exist' }] });
  await mkdir(dirname(config.dataDir), { recursive: true });
  const staging = await mkdtemp(join(dirname(config.dataDir), `.${basename(config.dataDir)}.restore-`));
  const before = existsSync(config.dataDir) ? await readdir(config.dataDir) : [];
  let placedCluster: string | undefined;
  try {
    progress(`unpacking and checking ${archive}`);
    const manifest = await readArchive(archive, staging);
    const keyring = keyringFor(config, manifest, options);

    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    if (options.masterKeyFile !== undefined && config.masterKey === undefined && resolve(options.masterKeyFile) !== config.masterKeyFile) {
      await copyFile(resolve(options.masterKeyFile), config.masterKeyFile);
      progress(`copied the master key file to ${config.masterKeyFile}`);
    }
    await moveInto(join(staging, STORE_FILE), config.databaseUrl);
    const store = await createStore({ url: config.databaseUrl });
    try {
      await store.migrate();
      await registerKeyring(store, keyring);
      const secrets = createSecretStore({ store, keyring });
      progress('reading every secret back with the master key');
      let secretsRead = 0;
      let after: { ownerId: string; name: string } | undefined;
      for (;;) {
        // No secret is sealed with the empty key id: this lists them all, a page at a time.
        const page = await store.secretsNotSealedWith('', { ...(after ? { after } : {}), limit: 500 });
        for (const row of page) {
          await secrets.get(row.ownerId, row.name);
          secretsRead++;
        }
        if (page.length < 500) break;
        after = { ownerId: page.at(-1)!.ownerId, name: page.at(-1)!.name };
      }
      let databases: string[] = [];
      if (manifest.embeddedPostgres) {
        // Placed where the next `paved up` looks for it (decided now that the data folder exists).
        const place = await embeddedCluster(config.dataDir, { createAccount: true });
        placedCluster = place.dir;
        databases = await restoreCluster(config, staging, place, manifest.embeddedPostgres, secrets, progress);
      }
      return { dataDir: config.dataDir, manifest, secretsRead, databases };
    } finally {
      await store.close();
    }
  } catch (error) {
    // Nothing half-restored: what this run put in the data folder goes again.
    if (existsSync(config.dataDir)) {
      for (const name of await readdir(config.dataDir)) if (!before.includes(name)) await rm(join(config.dataDir, name), { recursive: true, force: true });
    }
    if (placedCluster !== undefined) await rm(placedCluster, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
