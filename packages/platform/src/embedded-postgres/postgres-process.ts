import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ServerAccount } from './server-account.js';

/**
 * initdb and postgres, run as child processes. Every child has an 'error' listener: a spawn
 * that fails (EACCES, ENOENT) rejects with a message instead of crashing Paved. Output is kept
 * in a short ring (`ServerLog`) so a failure can say what PostgreSQL said.
 */

export interface ServerLog {
  push(text: string): void;
  /** The last lines, on one line, for an error message. */
  tail(): string;
}

export function serverLog(keep = 50): ServerLog {
  const lines: string[] = [];
  return {
    push(text) {
      for (const line of text.split('\n')) if (line.trim()) lines.push(line.trim());
      lines.splice(0, Math.max(0, lines.length - keep));
    },
    tail: () => lines.slice(-5).join(' | ').slice(0, 500),
  };
}

interface Run {
  binDir: string;
  account: ServerAccount | undefined;
  log: ServerLog;
}

// Messages in English whatever the user's locale: readiness is read from the server's output.
const childEnv = () => ({ ...process.env, LC_MESSAGES: 'C' });

function spawnAs(run: Run, program: string, args: string[], detached = false): ChildProcess {
  const child = spawn(join(run.binDir, program), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(),
    detached,
    ...(run.account ? { uid: run.account.uid, gid: run.account.gid } : {}),
  });
  // Drained for as long as the child lives: a full pipe would stall the server.
  child.stdout?.on('data', (chunk: Buffer) => run.log.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => run.log.push(chunk.toString('utf8')));
  return child;
}

function spawnFailure(program: string, run: Run, error: NodeJS.ErrnoException): Error {
  const who = run.account ? ` as the ${run.account.name} account` : '';
  return new Error(`could not run ${join(run.binDir, program)}${who} (${error.code ?? error.message})`, { cause: error });
}

/**
 * Creates the cluster in `clusterDir` (which must exist, owned by the server account, mode 0700
 * as initdb wants) with a SCRAM-protected `postgres` superuser. The password reaches initdb in
 * a file only the server account can read, beside the cluster (the account can reach that
 * folder; the system's temporary folder may be out of its reach), removed right after.
 */
export async function initCluster(run: Run & { clusterDir: string; password: string }): Promise<void> {
  const secretDir = await mkdtemp(join(dirname(run.clusterDir), '.paved-initdb-'));
  try {
    const pwfile = join(secretDir, 'password');
    await writeFile(pwfile, `${run.password}\n`, { mode: 0o600 });
    if (run.account) {
      await chown(secretDir, run.account.uid, run.account.gid);
      await chown(pwfile, run.account.uid, run.account.gid);
    }
    const child = spawnAs(run, 'initdb', [
      `--pgdata=${run.clusterDir}`, '--username=postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256',
      // UTF-8 with PostgreSQL's own C.UTF-8 (no dependence on the machine's installed locales).
      '--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--lc-messages=C',
      '--no-instructions',
    ]);
    await new Promise<void>((resolve, reject) => {
      child.once('error', (error) => reject(spawnFailure('initdb', run, error)));
      child.once('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`initdb failed (${signal ?? `exit code ${code}`}): ${run.log.tail()}`))));
    });
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
}

export interface RunningServer {
  /** Fast shutdown (SIGINT: sessions ended, checkpoint); SIGKILL if it has not exited in 30 s. */
  stop(): Promise<void>;
}

const READY = 'database system is ready to accept connections';

/** Starts `postgres` on the cluster; resolves once it accepts connections. */
export async function startServer(run: Run & { clusterDir: string; port: number; flags: string[] }): Promise<RunningServer> {
  // In a process group of its own: a terminal's Ctrl-C (SIGINT to the foreground group) then
  // reaches Paved only, which closes the drivers' connections first and stops this server after
  // them (stop below). In the terminal's group the server shut down at the same moment, and each
  // idle admin connection was logged as lost. A Paved killed outright leaves it running either
  // way; the next start stops it (stopOrphan).
  const child = spawnAs(run, 'postgres', ['-D', run.clusterDir, '-p', String(run.port), '-c', 'lc_messages=C', ...run.flags], true);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let recent = ''; // the line may arrive split across chunks
    const onOutput = (chunk: Buffer) => {
      recent = (recent + chunk.toString('utf8')).slice(-2 * READY.length);
      if (!recent.includes(READY)) return;
      child.stderr?.off('data', onOutput);
      resolve();
    };
    child.stderr?.on('data', onOutput);
    child.once('error', (error) => reject(spawnFailure('postgres', run, error)));
    child.once('exit', (code, signal) => reject(new Error(`postgres exited before it was ready (${signal ?? `exit code ${code}`}): ${run.log.tail()}`)));
  });
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `pid` is the postgres of `clusterDir` (its command line names the folder, where /proc
 * tells): a pid recycled by another process, another PostgreSQL included, is left alone.
 */
function isServerOf(pid: number, clusterDir: string): boolean {
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(clusterDir);
  } catch {
    return false;
  }
}

/**
 * Stops a postgres left running on `clusterDir` by a Paved process that died without stopping
 * it (SIGKILL, power cut of the parent only). It is not our child, so its exit is polled for.
 */
export async function stopOrphan(clusterDir: string): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid) || !isServerOf(pid, clusterDir)) return;
  process.kill(pid, 'SIGINT'); // fast shutdown: ends sessions, checkpoints, exits
  for (const deadline = Date.now() + 15_000; Date.now() < deadline && processAlive(pid);) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
}
