// Shared pieces of the benchmarks: start a real `paved up` process, statistics, output.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { dropDatabase, ownDatabase, ownFolder, ownProcess, stopProcess } from './leftovers.mjs';

// `--help` (or `-h`) on any benchmark prints its header comment, which says what it measures
// and which flags it takes, instead of starting a measurement. This module is imported before
// the benchmark's own body runs, so nothing has been started yet.
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  const header = [];
  for (const line of readFileSync(process.argv[1], 'utf8').split('\n')) {
    if (!line.startsWith('//')) break;
    header.push(line.replace(/^\/\/ ?/, ''));
  }
  process.stdout.write(`${header.join('\n')}\n`);
  process.exit(0);
}

export const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
export const MACHINE_PG = process.env.PAVED_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A new, empty database on this machine's PostgreSQL, named `prefix`_<random>, for a server's
 * PostgreSQL store (PAVED_DATABASE_URL); returns { url, drop }. It is dropped on every way out of
 * the benchmark (leftovers.mjs) if `drop` has not been called by then; `drop` (WITH (FORCE)) after
 * the servers on it have stopped.
 */
export async function freshDatabase(prefix) {
  const name = `${prefix}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  ownDatabase(name, MACHINE_PG);
  const admin = new pg.Client({ connectionString: MACHINE_PG });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(MACHINE_PG);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropDatabase(name, MACHINE_PG) };
}

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** `--NAME K=V,K2=V2` as an environment for a server (e.g. `--env PAVED_WORKER_CONCURRENCY=1`); {} when absent. */
export function envArg(name) {
  const raw = arg(name);
  if (raw === undefined) return {};
  return Object.fromEntries(raw.split(',').map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--${name} wants KEY=VALUE[,KEY=VALUE…], got "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }));
}

export async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A new folder /tmp/`prefix`XXXXXX, removed on every way out of the benchmark (leftovers.mjs). */
export function tempFolder(prefix) {
  return ownFolder(mkdtempSync(join(tmpdir(), prefix)));
}

/** A `wrap` for startPaved (or any command): valgrind counting instructions into `file`, no cache simulation. */
/**
 * utime and stime of process `pid`, in clock ticks (USER_HZ: 100 a second on Linux), from
 * /proc/<pid>/stat; throws as readFileSync does once the process is gone. The fields are counted
 * after the last `)`, since the command name in front may hold spaces and brackets.
 */
export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

export const cachegrind = (file) => ['valgrind', '--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${file}`];

/**
 * Starts `paved up` on a fresh data folder (removed when the benchmark ends: tempFolder); returns
 * { url, token, dir, stop }. `nodeArgs` go to node before the CLI (e.g. `--cpu-prof` to profile the
 * server under a benchmark's load); `cli` is another build's packages/cli/dist/main.js, to compare
 * two builds in one run; `dir` an earlier run's folder, to start it again on its data (the caller's
 * to remove); `wrap` a command the server's node runs under (e.g. valgrind and its options).
 */
export async function startPaved(extraEnv = {}, { nodeArgs = [], cli = CLI, dir = tempFolder('paved-bench-'), wrap = [] } = {}) {
  const port = await freePort();
  const cliConfig = join(dir, 'cli.json');
  const [command, ...args] = [...wrap, process.execPath, ...nodeArgs, cli, 'up'];
  const child = spawn(command, args, {
    env: { ...process.env, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port), PAVED_CLI_CONFIG: cliConfig, PAVED_LOG_LEVEL: 'warn', NO_COLOR: '1', ...extraEnv },
    // PAVED_BENCH_STDOUT=1 shows the server's stdout too (e.g. node's --trace-gc through nodeArgs).
    stdio: ['ignore', process.env.PAVED_BENCH_STDOUT ? 'inherit' : 'ignore', 'inherit'],
  });
  ownProcess(child);
  const url = `http://127.0.0.1:${port}`;
  // Under a `wrap` (valgrind) a start takes minutes on a loaded machine: up to ten.
  for (let i = 0, tries = wrap.length > 0 ? 6000 : 600; i < tries; i++) {
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
    // A server that could not start (e.g. PostgreSQL full) fails the benchmark now, not after a minute of polling.
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`paved up (${cli}) exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // The server answers /readyz a moment before `paved up` has written the admin's CLI config.
  let token;
  for (let i = 0; i < 600 && token === undefined; i++) {
    try {
      token = JSON.parse(readFileSync(cliConfig, 'utf8')).token;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    token,
    dir,
    pid: child.pid,
    stop: (options) => stopProcess(child, options),
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const round = (n, digits = 2) => Number(n.toFixed(digits));

/**
 * Runs two measured sides interleaved, `runs` rounds, alternating which goes first so neither
 * always meets a warmer (or freshly disturbed) server. `sides` is `{ direct, driver }` (any two
 * labels; the first listed goes first on even rounds); each is `(i, shared) => Promise<ms>`.
 * `shared(i)` makes a value both sides of round i get (e.g. the same password). `warmup` extra
 * rounds run first (with negative i) and are not counted. Returns `{ [label]: number[] }`.
 */
export async function measureInterleaved(runs, sides, { warmup = 0, shared = () => undefined } = {}) {
  const labels = Object.keys(sides);
  const times = Object.fromEntries(labels.map((label) => [label, []]));
  for (let i = -warmup; i < runs; i++) {
    const value = shared(i);
    const order = (i & 1) === 0 ? labels : [...labels].reverse();
    for (const label of order) {
      const ms = await sides[label](i, value);
      if (i >= 0) times[label].push(ms);
    }
  }
  return times;
}

/**
 * Prints the comparison as one JSON line on stdout ({ ...head, runs, direct, [otherLabel],
 * overheadMs, ratio, ...trailing }, medians and p95s in ms) and a one-line summary on stderr.
 * Returns the printed object.
 */
export function reportComparison(head, directMs, otherMs, otherLabel = 'driver', options = {}) {
  const { digits = 2, ratioDigits = 2, trailing = {}, title = head.benchmark, directName = 'direct' } = options;
  const stats = (values) => ({ medianMs: round(median(values), digits), p95Ms: round(percentile(values, 95), digits) });
  const result = {
    ...head,
    runs: directMs.length,
    direct: stats(directMs),
    [otherLabel]: stats(otherMs),
    overheadMs: round(median(otherMs) - median(directMs), digits),
    ratio: round(median(otherMs) / median(directMs), ratioDigits),
    ...trailing,
  };
  const other = result[otherLabel];
  console.log(JSON.stringify(result));
  console.error(
    `${title}: ${otherLabel} ${other.medianMs} ms median (p95 ${other.p95Ms}) vs ${directName} ${result.direct.medianMs} ms (p95 ${result.direct.p95Ms}) ` +
      `over ${result.runs} runs: ${result.overheadMs >= 0 ? '+' : ''}${result.overheadMs} ms, x${result.ratio}`,
  );
  return result;
}

/**
 * Runs each side (`{ run(): Promise<row>, close() }`, rows of ms by step with a `total`) once to
 * warm up, then `runs` times with every side in every position in turn (alternating the order
 * alone keeps a middle one there), closes them, and reports each side's medians by step and,
 * with a `baseline` side, this side's total over the baseline's. contract-checks.mjs, driver-create.mjs.
 */
export async function compareSides(benchmark, product, runs, sides) {
  const labels = Object.keys(sides);
  const results = Object.fromEntries(labels.map((label) => [label, []]));
  try {
    for (const label of labels) await sides[label].run(); // warm-up: modules loaded, pools open
    for (let i = 0; i < runs; i++) {
      const k = i % labels.length;
      const rotated = [...labels.slice(k), ...labels.slice(0, k)];
      for (const label of Math.floor(i / labels.length) % 2 ? rotated.reverse() : rotated) results[label].push(await sides[label].run());
    }
  } finally {
    for (const side of Object.values(sides)) await side.close();
  }
  const medians = (rows) => Object.fromEntries(Object.keys(rows[0]).map((key) => [key, round(median(rows.map((row) => row[key])))]));
  const report = { benchmark, product, runs, loadavg: (await import('node:os')).loadavg().map((l) => round(l)) };
  for (const label of labels) report[label] = medians(results[label]);
  const total = (label) => median(results[label].map((r) => r.total));
  if (sides.baseline) report.ratio = round(total('this') / total('baseline'), 3);
  return { report, total };
}
