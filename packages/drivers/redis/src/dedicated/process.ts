/**
 * The instance's redis-server process: started detached, so it outlives the Paved process that
 * started it, and found again by its pid file. A pid file can outlive its process and the pid
 * be reused, so a pid counts as the instance's only while /proc says that process runs
 * redis-server with the instance's own config file (`set-proc-title no` keeps it there).
 */
import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError } from '@paved/model';
import { foldLine } from '@paved/driver-api';
import type { InstanceFiles } from './layout.js';
import type { Readiness } from './admin.js';

/**
 * The pid of the instance's running server, or undefined when none runs: the pid file's (Paved
 * writes it as soon as the process exists, the server again when it starts). With `scan`, a
 * process /proc shows running the instance's config file counts too, whatever the pid file
 * says (it was removed, or lost with a crash): deletion looks that hard, at ~40 ms a scan.
 */
export async function runningPid(files: InstanceFiles, options: { scan?: boolean } = {}): Promise<number | undefined> {
  const text = await readFile(files.pid, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  if (Number.isSafeInteger(pid) && pid > 0 && (await isInstanceProcess(pid, files))) return pid;
  if (!options.scan) return undefined;
  for (const entry of await readdir('/proc')) {
    if (/^\d+$/.test(entry) && (await isInstanceProcess(Number(entry), files))) return Number(entry);
  }
  return undefined;
}

async function isInstanceProcess(pid: number, files: InstanceFiles): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').includes(files.conf);
}

/** How long a server may take to answer after it is started, and to go after it is stopped. */
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * Starts the server and resolves once `ready()` says it answers. A server that exits first
 * (port taken, bad directory) fails with the last lines of its log, which say why.
 */
export async function startServer(redisServer: string, files: InstanceFiles, ready: () => Promise<Readiness>): Promise<void> {
  const child = spawn(redisServer, [files.conf], { detached: true, stdio: 'ignore' });
  let exited: string | undefined;
  child.once('exit', (code, sig) => {
    exited = sig ? `was killed by ${sig}` : `exited with code ${code}`;
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  try {
    await spawned;
  } catch (error) {
    throw new DriverError(`redis: cannot run ${redisServer}: ${(error as Error).message}; set config.servers.redisServer`, { code: 'target_config_invalid', retryable: false, cause: error });
  }
  // Found again by this pid from now on, even if the server never gets to write its own.
  await writeFile(files.pid, `${child.pid}\n`, { mode: 0o600 });
  // The server lives on its own: Paved neither waits for it nor keeps it from exiting.
  child.unref();
  // No cancellation while waiting: it is bounded, and a server left half-started is found by
  // the pid file written above.
  await waitUntilReady(files, ready, () => exited);
}

/**
 * Waits until `ready()` says `ready`: at most START_TIMEOUT_MS while nothing answers, and as
 * long as the server says it is loading its data (which may take a while for a big AOF).
 */
export async function waitUntilReady(files: InstanceFiles, ready: () => Promise<Readiness>, exited: () => string | undefined = () => undefined): Promise<void> {
  let deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const gone = exited();
    if (gone !== undefined) throw new DriverError(`redis: the server for ${files.dir} ${gone}: ${await logTail(files)}`, { code: 'server_failed', retryable: true });
    const state = await ready();
    if (state === 'ready') return;
    if (state === 'loading') deadline = Date.now() + START_TIMEOUT_MS;
    else if (Date.now() > deadline) throw new DriverError(`redis: the server for ${files.dir} did not answer within ${START_TIMEOUT_MS / 1000} s: ${await logTail(files)}`, { code: 'server_failed', retryable: true });
    await sleep(25);
  }
}

/** Ends the instance's server, if it runs, with `sig`, and waits until it is gone. */
export async function stopServer(files: InstanceFiles, sig: 'SIGTERM' | 'SIGKILL', options: { scan?: boolean } = {}): Promise<void> {
  const pid = await runningPid(files, options);
  if (pid === undefined) return;
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
    throw error;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  // A killed child of this very process stays a zombie until Node reaps it, which /proc shows
  // as an empty command line: isInstanceProcess is then false, as it should be.
  while (await isInstanceProcess(pid, files)) {
    if (Date.now() > deadline) throw new DriverError(`redis: the server for ${files.dir} (pid ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s`, { code: 'server_failed', retryable: true });
    await sleep(25);
  }
}

/** The last lines of the server's log, on one line: why it did not start. */
async function logTail(files: InstanceFiles): Promise<string> {
  const log = await readFile(files.log, 'utf8').catch(() => '');
  const lines = log.trim().split('\n').slice(-3).map((line) => line.replace(/^\d+:[A-Z] [^*#.-]*[*#.-] /, ''));
  return foldLine(lines.join(' | '), [], 300) || `no log at ${files.log}`;
}
