// What a benchmark leaves on this machine while it runs — the processes it starts (`paved up`,
// forked engine workers, the hello-world ceiling), the databases it creates on PostgreSQL
// (paved_bench_*), what else it makes on the machine's services (direct-ops.mjs's bench_direct_*
// databases, users, roles and vhosts: `ownLeftover`) and its temporary folders (/tmp/paved-bench-*:
// a server's data folder, SQLite database and master key) — and their removal on every way out. A
// benchmark stops, drops and removes its own as before; whatever is still here when it ends goes too:
//  - on SIGINT, SIGTERM or SIGHUP: the other leftovers removed, the processes stopped (SIGTERM,
//    SIGKILL after a grace), the databases dropped and the folders removed, then exit
//    128 + the signal's number (a second signal exits at once, through the next way);
//  - on any other exit (a thrown error, process.exit, a top-level await left unsettled, as a
//    `stop()` of a server that had already exited used to leave one, or the benchmark's normal
//    end): at the process's 'exit', synchronously, the processes killed, the databases dropped
//    and the other leftovers removed by a node of their own, then the folders removed.
// No benchmark prints a folder of its own for a person to look into, so none is kept.
// Each drop is `DROP DATABASE IF EXISTS … WITH (FORCE)`: a server that still holds sessions (a
// stop that timed out, an orphan of an earlier run) does not keep its database alive. It is
// retried while PostgreSQL refuses the admin's connection (too many clients) or the database
// stays in use, the two ways a drop failed under other benchmarks' and the tests' load.
//
//   node bench/leftovers.mjs ADMIN_URL NAME…   drops those databases (what the 'exit' fallback runs)
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const SELF = fileURLToPath(import.meta.url);
/**
 * Child processes still running, databases not dropped yet (name → the admin's connection string),
 * other leftovers not removed yet ({ remove, command }: ownLeftover) and folders not removed yet.
 */
const processes = new Set();
const databases = new Map();
const leftovers = new Set();
const folders = new Set();
/** PostgreSQL's answers worth a retry: too many connections, cannot connect now, object in use. */
const TRANSIENT = new Set(['53300', '57P03', '55006']);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let installed = false;
function install() {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void onSignal(signal));
  process.on('exit', atExit);
}

let signalled = false;
async function onSignal(signal) {
  const code = 128 + constants.signals[signal];
  if (signalled) process.exit(code);
  signalled = true;
  // The benchmark's own code goes on meanwhile and fails as its servers stop: the run is being
  // abandoned, so its errors wait for the cleanup instead of ending the process before it.
  const quiet = (error) => console.error(`(after ${signal}) ${error?.message ?? error}`);
  process.on('uncaughtException', quiet);
  process.on('unhandledRejection', quiet);
  if (processes.size || databases.size || leftovers.size) {
    console.error(`${signal}: stopping ${processes.size} process(es), removing ${leftovers.size} other leftover(s), dropping ${[...databases.keys()].join(', ') || 'no database'}`);
  }
  // Each in turn, whatever the one before did: a drop that failed does not keep the folders. The
  // other leftovers first: the benchmark's own process makes them, not its servers, and their
  // removal stops it making more.
  const attempt = (remove) => remove().catch((error) => console.error(error));
  for (const leftover of leftovers) {
    await attempt(async () => {
      await leftover.remove();
      leftovers.delete(leftover);
    });
  }
  await attempt(stopOwnProcesses);
  for (const [name, admin] of databases) await attempt(() => dropDatabase(name, admin));
  removeOwnFolders();
  process.exit(code);
}

/** The last way out, synchronous: kill what still runs, drop and remove what is left in processes of their own, then the folders. */
function atExit() {
  for (const child of processes) child.kill('SIGKILL');
  const byAdmin = new Map();
  for (const [name, admin] of databases) byAdmin.set(admin, [...(byAdmin.get(admin) ?? []), name]);
  for (const [admin, names] of byAdmin) {
    console.error(`dropping what this benchmark left: ${names.join(', ')}`);
    spawnSync(process.execPath, [SELF, admin, ...names], { stdio: 'inherit', timeout: 120_000 });
  }
  for (const { command } of leftovers) if (command) spawnSync(process.execPath, command, { stdio: 'inherit', timeout: 120_000 });
  removeOwnFolders();
}

/** Owns a child process until it exits: stopped or killed on the way out if still running then. */
export function ownProcess(child) {
  install();
  processes.add(child);
  child.once('exit', () => processes.delete(child));
  return child;
}

/**
 * Stops a child (`signal`, then SIGKILL after `graceMs`); resolves with its exit code, at once if
 * it has exited already (waiting for an 'exit' that had been emitted left the caller's await
 * unsettled, and node ended the benchmark there with code 13, before its drop).
 */
export function stopProcess(child, { signal = 'SIGTERM', graceMs = 10_000 } = {}) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      processes.delete(child);
      resolve(child.exitCode);
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      processes.delete(child);
      resolve(code);
    });
    child.kill(signal);
  });
}

/** Stops every child still owned (before their databases are dropped: they hold its sessions). */
export async function stopOwnProcesses() {
  await Promise.all([...processes].map((child) => stopProcess(child)));
}

/** Owns database `name` on `admin`'s server (before it is created, so no window leaves it behind). */
export function ownDatabase(name, admin) {
  install();
  databases.set(name, admin);
}

/**
 * Owns something a benchmark makes on a service outside its processes and databases above (e.g.
 * a direct provision's database and user): on a signal `remove()` is awaited, first, in the order
 * owned; on any other exit node runs `command` (a script and its arguments, if any),
 * synchronously, after the databases' drop.
 * Returns the function that releases it, once the benchmark has removed it itself.
 */
export function ownLeftover(remove, command) {
  install();
  const leftover = { remove, command };
  leftovers.add(leftover);
  return () => leftovers.delete(leftover);
}

/**
 * Owns temporary folder (or file) `path` (returned): removed on every way out, last, once the
 * processes that wrote into it have stopped. Removing it sooner is the benchmark's own business
 * (rmSync), as before.
 */
export function ownFolder(path) {
  install();
  folders.add(path);
  return path;
}

function removeOwnFolders() {
  for (const path of folders) {
    try {
      // Retried: a server killed a moment ago may still be closing a file in it.
      rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      folders.delete(path);
    } catch (error) {
      console.error(`could not remove ${path}: ${error.message}`);
    }
  }
}

/** `DROP DATABASE IF EXISTS name WITH (FORCE)` through `admin`, retried while PostgreSQL is full or the database in use. */
export async function dropDatabase(name, admin) {
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: admin });
    try {
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      databases.delete(name);
      return;
    } catch (error) {
      if (attempt >= 30 || !TRANSIENT.has(error.code)) throw error;
      await sleep(Math.min(2000, 100 * attempt));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

if (process.argv[1] === SELF) {
  const [admin, ...names] = process.argv.slice(2);
  let failed = 0;
  for (const name of names) {
    await dropDatabase(name, admin).catch((error) => {
      failed++;
      console.error(`could not drop ${name}: ${error.message}`);
    });
  }
  process.exitCode = failed ? 1 : 0;
}
