// What a benchmark leaves on this machine while it runs — the processes it starts (`paved up`,
// forked engine workers, the hello-world ceiling) and the databases it creates on PostgreSQL
// (paved_bench_*) — and their removal on every way out. A benchmark stops and drops its own as
// before; whatever is still here when it ends goes too:
//  - on SIGINT, SIGTERM or SIGHUP: the processes stopped (SIGTERM, SIGKILL after a grace), then
//    the databases dropped, then exit 128 + the signal's number (a second signal exits at once,
//    through the next way);
//  - on any other exit (a thrown error, process.exit, a top-level await left unsettled, as a
//    `stop()` of a server that had already exited used to leave one): at the process's 'exit',
//    synchronously, the processes killed and the databases dropped by a node of this file.
// Each drop is `DROP DATABASE IF EXISTS … WITH (FORCE)`: a server that still holds sessions (a
// stop that timed out, an orphan of an earlier run) does not keep its database alive. It is
// retried while PostgreSQL refuses the admin's connection (too many clients) or the database
// stays in use, the two ways a drop failed under other benchmarks' and the tests' load.
//
//   node bench/leftovers.mjs ADMIN_URL NAME…   drops those databases (what the 'exit' fallback runs)
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const SELF = fileURLToPath(import.meta.url);
/** Child processes still running, and databases not dropped yet (name → the admin's connection string). */
const processes = new Set();
const databases = new Map();
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
  if (processes.size || databases.size) console.error(`${signal}: stopping ${processes.size} process(es), dropping ${[...databases.keys()].join(', ') || 'no database'}`);
  try {
    await stopOwnProcesses();
    for (const [name, admin] of databases) await dropDatabase(name, admin);
  } catch (error) {
    console.error(error);
  }
  process.exit(code);
}

/** The last way out, synchronous: kill what still runs, drop what is left in a process of its own. */
function atExit() {
  for (const child of processes) child.kill('SIGKILL');
  const byAdmin = new Map();
  for (const [name, admin] of databases) byAdmin.set(admin, [...(byAdmin.get(admin) ?? []), name]);
  for (const [admin, names] of byAdmin) {
    console.error(`dropping what this benchmark left: ${names.join(', ')}`);
    spawnSync(process.execPath, [SELF, admin, ...names], { stdio: 'inherit', timeout: 120_000 });
  }
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
