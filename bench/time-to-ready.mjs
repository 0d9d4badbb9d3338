// Time from the API request to usable credentials, per product, beside the same operations
// done directly (bench/direct-ops.mjs: `direct` what the driver does, `directMinimal` the
// earlier, lighter baseline) in the same run against the same server, interleaved.
// Paved's time includes the driver's work, its contract checks, the engine and the API; the
// direct time includes the same statements and the same credential checks, by hand. Paved is
// measured two ways: as the client waits (waitForCredentials: the status stream reveals the
// credentials with its Ready event), and the earlier way (watch until Ready, then the reveal
// route), so the gain shows against a baseline of the same run. The split of the first way
// (bench/ready-split.mjs) is printed as well. `--baseline ../other-checkout` starts that build's
// `paved up` too and measures it the same way (the client's waitForCredentials), interleaved.
// `--env K=V[,K=V]` and `--baseline-env K=V[,K=V]` set each server's environment: one build, a
// setting two ways (`--baseline . --env PAVED_WORKER_CONCURRENCY=1 --baseline-env PAVED_WORKER_CONCURRENCY=8`).
// `--store postgres` puts each server (this build's and the baseline's alike) on the PostgreSQL
// store: a fresh database of its own on this machine's PostgreSQL (PAVED_DATABASE_URL), dropped
// at the end; `--store both` runs the whole measurement on SQLite, then on PostgreSQL.
// `--node-args "ARGS"` (space-separated) go to this build's server's node, e.g. `--node-args
// "--cpu-prof --cpu-prof-dir=/tmp/prof"` to profile it (NODE_OPTIONS refuses --cpu-prof).
// `--product postgres` with a `--baseline` (`.` for an A/A) also prints each server's overhead
// outside CREATE DATABASE: every CREATE DATABASE timed at its socket in each server and in the
// direct path (pg-create-database-clock.cjs), each run's time less its own, median over median,
// with bootstrap 95 % ranges beside the plain overhead's (CREATE DATABASE's spread swamps that one).
//
//   npm run build && node bench/time-to-ready.mjs --product postgres [--runs 30] [--store sqlite|postgres|both]
//     [--baseline ../base] [--env K=V] [--baseline-env K=V] [--way one-request|two-requests] [--baseline-way two-requests|one-request]
//     [--baseline-client this|own|../checkout]
//   products: postgres (machine PostgreSQL), mysql (MariaDB), redis, amqp (RabbitMQ)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient } from '@paved/client';
import { arg, cpuTicks, envArg, freshDatabase, median, percentile, reportComparison, round, startPaved, tempFolder } from './lib.mjs';
import { benchTargetsFile, directOps, requestFor } from './direct-ops.mjs';
import { createAndWait, describeSplit, splitMedians } from './ready-split.mjs';

const product = arg('product', 'postgres');
const runs = Math.max(30, Number(arg('runs', '30')));
const baselineRoot = arg('baseline');
const store = arg('store', 'sqlite');
// How each side creates and waits (ready-split.mjs createAndWait): this build in one request (the
// create answers with its status stream); the baseline, a build before that answer, the create
// then the watch stream. `--way`/`--baseline-way one-request|two-requests` to choose (an A/A run:
// `--baseline . --baseline-way one-request`).
const thisWay = arg('way', 'one-request');
const baselineWay = arg('baseline-way', 'two-requests');
for (const way of [thisWay, baselineWay]) if (!['one-request', 'two-requests'].includes(way)) throw new Error(`--way and --baseline-way want one-request or two-requests, got "${way}"`);
if (!['sqlite', 'postgres', 'both'].includes(store)) throw new Error(`--store wants sqlite, postgres or both, got "${store}"`);
if (store === 'both') {
  // Each store in a process of its own, one after the other, with the same arguments.
  const args = process.argv.slice(2);
  const at = args.indexOf('--store');
  let failed = 0;
  for (const one of ['sqlite', 'postgres']) {
    args[at + 1] = one;
    failed += spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' }).status !== 0 ? 1 : 0;
  }
  process.exit(failed ? 1 : 0);
}

const env = { PAVED_TARGETS_FILE: benchTargetsFile(), PAVED_EMBEDDED_POSTGRES: 'off' };
const databases = [];
/** The server's store: SQLite in its data folder, or a fresh PostgreSQL database of its own. */
async function storeEnv() {
  if (store !== 'postgres') return {};
  const database = await freshDatabase('paved_bench_ready');
  databases.push(database);
  return { PAVED_DATABASE_URL: database.url };
}
const nodeArgs = arg('node-args', '').split(' ').filter(Boolean);
// postgres: every CREATE DATABASE timed at its socket (pg-create-database-clock.cjs), in both
// servers and, for the direct path, in this process, so that each create can be measured less
// its own CREATE DATABASE (below: "outside CREATE DATABASE").
const clockPath = fileURLToPath(new URL('./pg-create-database-clock.cjs', import.meta.url));
const clockDir = product === 'postgres' ? tempFolder('paved-pg-clock-') : undefined;
const clockFor = (side) => (clockDir ? { env: { PAVED_PG_CLOCK_OUT: join(clockDir, `${side}.json`) }, nodeArgs: ['--require', clockPath] } : { env: {}, nodeArgs: [] });
if (clockDir) createRequire(import.meta.url)(clockPath);
const paved = await startPaved({ ...env, ...(await storeEnv()), ...envArg('env'), ...clockFor('paved').env }, { nodeArgs: [...clockFor('paved').nodeArgs, ...nodeArgs] });
const client = createClient({ url: paved.url, token: paved.token });
const team = `bench-${randomBytes(3).toString('hex')}`;
await client.createTeam({ name: team });
const base = baselineRoot ? await startPaved({ ...env, ...(await storeEnv()), ...envArg('baseline-env'), ...clockFor('baseline').env }, { cli: join(resolve(baselineRoot), 'packages/cli/dist/main.js'), nodeArgs: clockFor('baseline').nodeArgs }) : undefined;
// `--baseline-client own`: the baseline is asked through its own build's client (the client is
// on the path too: how it sends, reads the stream, keeps its connections); `this` (default, as
// before round 9): through this build's client, so that only the servers differ; or a checkout's
// path: through that build's client (`--baseline . --baseline-client ../base` measures a client alone).
const baselineClient = arg('baseline-client', 'this');
const clientRoot = baselineClient === 'own' ? baselineRoot : baselineClient === 'this' ? undefined : baselineClient;
const createBaseClient = base && clientRoot !== undefined
  ? (await import(pathToFileURL(join(resolve(clientRoot), 'packages/client/dist/index.js')).href)).createClient
  : createClient;
const baseClient = base ? createBaseClient({ url: base.url, token: base.token }) : undefined;
if (baseClient) await baseClient.createTeam({ name: team });
const direct = await directOps(product);
const directMinimal = await directOps(product, 'minimal');
const timings = [];
const baseTimings = [];

async function removed(name, through = client) {
  await through.deleteInstance(team, name);
  await through.watchInstance(team, name, { onStatus() {} }).catch(() => {});
}

/** Request → Ready with the credentials on the status stream, as the client waits. */
async function throughPaved(i, through = client, into = timings, prefix = 'r', way = thisWay) {
  const name = `${prefix}-${i}`;
  const timing = await createAndWait(through, team, requestFor(product, name), way);
  if (!timing.credentials.values.password && !timing.credentials.values.creds) throw new Error('no credential revealed');
  if (i >= 0) into.push(timing);
  await removed(name, through);
  return timing.t2 - timing.t0;
}
const throughBaseline = (i) => throughPaved(i, baseClient, baseTimings, 'b', baselineWay);

/** The earlier way: watch until Ready, close the stream, then ask the reveal route. */
async function thenRevealRoute(i) {
  const name = `q-${i}`;
  const start = performance.now();
  await client.createInstance(team, requestFor(product, name));
  const controller = new AbortController();
  await client.watchInstance(team, name, {
    signal: controller.signal,
    onStatus(instance) {
      if (instance.status.phase === 'Ready' || instance.status.phase === 'Failed') controller.abort();
    },
  });
  const credentials = await client.revealCredentials(team, name);
  const ms = performance.now() - start;
  if (!credentials.values.password && !credentials.values.creds) throw new Error('no credential revealed');
  await removed(name);
  return ms;
}

/**
 * Like measureInterleaved, with every side in every position in turn (that one alternates the
 * order, which keeps the middle one of three in the middle: an A/A run measured it 4 % faster).
 */
async function measureRotated(n, sides) {
  const labels = Object.keys(sides);
  const out = Object.fromEntries(labels.map((label) => [label, []]));
  for (let i = 0; i < n; i++) {
    const k = i % labels.length;
    const rotated = [...labels.slice(k), ...labels.slice(0, k)];
    for (const label of Math.floor(i / labels.length) % 2 ? rotated.reverse() : rotated) out[label].push(await sides[label](i));
  }
  return out;
}

/**
 * CPU time the process has used, in ms (Linux /proc, 10 ms ticks): over a whole run, divided by
 * the runs, what one request (create, wait, delete) costs the server, whatever the machine's
 * load does to the wall-clock times. Undefined where /proc is not there.
 */
function cpuMs(pid) {
  try {
    const { user, system } = cpuTicks(pid);
    return (user + system) * 10;
  } catch {
    return undefined;
  }
}

let times;
let split;
let cpu;
let baseSplit;
try {
  await direct.provision('warm');
  await directMinimal.provision('mwarm');
  await throughPaved(-1);
  if (base) await throughBaseline(-1);
  else await thenRevealRoute(-1);
  // Against a baseline build, the two servers get the same traffic (the reveal route's side, on
  // this one only, made it the warmer: an A/A run measured 0.82 with it, and 1.0 without).
  const cpuBefore = [cpuMs(paved.pid), base && cpuMs(base.pid)];
  const directCreateDatabase = [];
  times = await measureRotated(runs, {
    direct: async (i) => {
      // The CREATE DATABASE this provision sends is the clock's next one.
      const at = globalThis.__pgCreateDatabaseMs?.length;
      const ms = await direct.provision(i);
      if (at !== undefined) directCreateDatabase.push(globalThis.__pgCreateDatabaseMs[at]);
      return ms;
    }, directMinimal: (i) => directMinimal.provision(`m${i}`), paved: (i) => throughPaved(i), ...(base ? { baseline: throughBaseline } : { revealRoute: (i) => thenRevealRoute(i) }),
  });
  const cpuAfter = [cpuMs(paved.pid), base && cpuMs(base.pid)];
  if (cpuBefore[0] !== undefined) {
    cpu = { pavedMsPerRequest: round((cpuAfter[0] - cpuBefore[0]) / runs), ...(base ? { baselineMsPerRequest: round((cpuAfter[1] - cpuBefore[1]) / runs) } : {}) };
  }
  split = await splitMedians(client, team, timings);
  if (base) baseSplit = await splitMedians(baseClient, team, baseTimings);
  times.directCreateDatabase = directCreateDatabase;
} finally {
  await direct.close();
  await directMinimal.close();
  await paved.stop();
  await base?.stop();
  for (const database of databases) await database.drop();
}

/**
 * Each side's time less its own CREATE DATABASE, run by run, and its median over the direct
 * path's (the same, measured the same way): what Paved adds outside the one statement whose
 * spread on a shared cluster is ten times the target. A server's clock holds its warm-up create's
 * first, then one a run; a count that does not match (a retry) leaves the figure out. With a
 * bootstrap over the runs (paired, as interleaved: 2,000 resamples), the 95 % range of each median
 * overhead, the plain one (median Paved − median direct) beside it.
 */
function outsideCreateDatabase(side, sideTimes) {
  if (!clockDir) return undefined;
  let server;
  try {
    server = JSON.parse(readFileSync(join(clockDir, `${side}.json`), 'utf8'));
  } catch {
    return undefined;
  }
  const direct = times.directCreateDatabase;
  if (server.length !== runs + 1 || direct.length !== runs || [...server, ...direct].some((ms) => typeof ms !== 'number')) return undefined;
  const rest = sideTimes.map((ms, i) => ms - server[i + 1]);
  const directRest = times.direct.map((ms, i) => ms - direct[i]);
  const overhead = (indices) => median(indices.map((i) => rest[i])) - median(indices.map((i) => directRest[i]));
  const plain = (indices) => median(indices.map((i) => sideTimes[i])) - median(indices.map((i) => times.direct[i]));
  let seed = 17;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  // CREATE DATABASE's own time, this side's less the direct path's run by run (interleaved, so
  // neighbours in time): what the estimate above leaves out, if Paved made the statement slower.
  const slower = (indices) => median(indices.map((i) => server[i + 1] - direct[i]));
  const boot = { outside: [], plain: [], slower: [] };
  for (let b = 0; b < 2000; b++) {
    const indices = Array.from({ length: runs }, () => Math.floor(random() * runs));
    boot.outside.push(overhead(indices));
    boot.plain.push(plain(indices));
    boot.slower.push(slower(indices));
  }
  const range = (values) => [round(percentile(values, 2.5)), round(percentile(values, 97.5))];
  const all = Array.from({ length: runs }, (_, i) => i);
  return {
    createDatabaseMs: round(median(server.slice(1))),
    restMs: round(median(rest)),
    directRestMs: round(median(directRest)),
    overheadMs: round(overhead(all)),
    overhead95: range(boot.outside),
    plainOverhead95: range(boot.plain),
    createDatabaseOverDirectMs: round(slower(all)),
    createDatabaseOverDirect95: range(boot.slower),
  };
}
const outside = outsideCreateDatabase('paved', times.paved);
const baseOutside = base ? outsideCreateDatabase('baseline', times.baseline) : undefined;

// PostgreSQL: the direct path's CREATE DATABASE alone, and the rest of it, run by run (the
// database's creation dominates both sides and varies by hundreds of ms on a shared cluster).
const createDatabaseMs = direct.createDatabaseMs?.length === times.direct.length ? direct.createDatabaseMs : undefined;
const directParts = createDatabaseMs ? {
  directCreateDatabase: { medianMs: round(median(createDatabaseMs)), p95Ms: round(percentile(createDatabaseMs, 95)) },
  directWithoutCreateDatabaseMs: round(median(times.direct.map((ms, i) => ms - createDatabaseMs[i]))),
} : {};

const baselineFigures = base ? {
  baseline: {
    medianMs: round(median(times.baseline)), overheadMs: round(median(times.baseline) - median(times.direct)), split: baseSplit,
    ratio: round(median(times.paved) / median(times.baseline), 3),
    ...(baseOutside ? { outsideCreateDatabase: baseOutside, outsideRatio: outside ? round(outside.restMs / baseOutside.restMs, 3) : undefined } : {}),
  },
} : {};

reportComparison({ benchmark: 'time-to-ready', product, store, ...(arg('env') || arg('baseline-env') ? { env: envArg('env'), baselineEnv: envArg('baseline-env') } : {}) }, times.direct, times.paved, 'paved', {
  ratioDigits: 3,
  trailing: {
    targetOverheadMs: 5,
    split,
    ...directParts,
    directMinimal: { medianMs: round(median(times.directMinimal)), overheadMs: round(median(times.paved) - median(times.directMinimal)) },
    ...(cpu ? { serverCpu: cpu } : {}),
    ...(outside ? { outsideCreateDatabase: outside } : {}),
    ...baselineFigures,
    ...(base ? {} : { revealRoute: { medianMs: round(median(times.revealRoute)), overheadMs: round(median(times.revealRoute) - median(times.direct)), ratio: round(median(times.revealRoute) / median(times.direct), 3) } }),
  },
  title: `${product} time-to-credentials (${store === 'postgres' ? 'PostgreSQL' : 'SQLite'} store)`,
});
console.error(`  split: ${describeSplit(split)}`);
if (createDatabaseMs) console.error(`  direct: CREATE DATABASE ${directParts.directCreateDatabase.medianMs} ms median (p95 ${directParts.directCreateDatabase.p95Ms}), the rest ${directParts.directWithoutCreateDatabaseMs} ms`);
console.error(`  the earlier, minimal direct operations: ${round(median(times.directMinimal))} ms median; paved ${round(median(times.paved) - median(times.directMinimal))} ms over them`);
if (!base) console.error(`  the earlier way (watch, then the reveal route): ${round(median(times.revealRoute))} ms median, ${round(median(times.revealRoute) - median(times.direct))} ms over direct`);
if (base) {
  console.error(`  baseline (${baselineRoot}): ${round(median(times.baseline))} ms median, ${round(median(times.baseline) - median(times.direct))} ms over direct; this ÷ baseline ${round(median(times.paved) / median(times.baseline), 3)}`);
  console.error(`  baseline split: ${describeSplit(baseSplit)}`);
}
const describeOutside = (o) => `${o.restMs} ms median less its own CREATE DATABASE (${o.createDatabaseMs}), direct ${o.directRestMs}: ${o.overheadMs >= 0 ? '+' : ''}${o.overheadMs} ms (95 % ${o.overhead95.join(' to ')}; the plain overhead's ${o.plainOverhead95.join(' to ')}); its CREATE DATABASE over the direct path's, run by run, ${o.createDatabaseOverDirectMs} ms (95 % ${o.createDatabaseOverDirect95.join(' to ')})`;
if (outside) console.error(`  outside CREATE DATABASE: paved ${describeOutside(outside)}`);
if (baseOutside) console.error(`  outside CREATE DATABASE: baseline ${describeOutside(baseOutside)}; this ÷ baseline ${round(outside.restMs / baseOutside.restMs, 3)}`);
if (cpu) console.error(`  server CPU per request (create, wait, delete): ${cpu.pavedMsPerRequest} ms${base ? `, baseline ${cpu.baselineMsPerRequest} ms` : ''}`);
