// Engine throughput: how many instances the engine takes from requested to Ready per second,
// with the in-memory driver (so the figure is the engine's and the store's own cost, not a
// target's). Needs a build first (npm run bench does `tsc -b`).
//   node bench/engine-throughput.mjs [--instances 100000] [--concurrency 64] [--batch 500] [--runs 1]
//     one engine on a fresh SQLite store per run: inserting the requests, the first page of 50,
//     then the engine's running loop (start(), as a server runs it) until every instance is Ready.
//   node bench/engine-throughput.mjs --store postgres [--workers 1,2] [--instances 20000] [--runs 3]
//     a fresh database on this machine's PostgreSQL per run, the requests inserted once, then
//     copied (CREATE DATABASE … TEMPLATE) for each worker count: that many engine processes on
//     it at once, interleaved; each instance must have been created by the driver exactly once.
//     Each worker runs the engine's running loop (start(), as a server runs it) until the workers'
//     creates together reach --instances (counted by the parent over IPC) and nothing is due.
//   --pg-loop batches  PostgreSQL workers drive the engine with runOnce() batches instead, each
//     waiting for its slowest pass (the bench's way up to round 13; for comparing with those rounds).
//   --insert-only  the requests and the first page only, no engine (either store).
//   --single  inserts through createInstance, `batch` in flight at once, instead of createInstances
//     (`batch` requests a call); a baseline build without createInstances always does.
//   --baseline-concurrency N  the baseline build's engine gets N slots instead of --concurrency (the
//     same build at two settings, interleaved: --baseline . --concurrency 128 --baseline-concurrency 64).
//   --baseline ../other-checkout  runs another build's packages too, interleaved with this one, through
//     this script (so both builds run the same loop, --pg-loop included).
//   --ceiling  also runs the engine's ceiling on this machine, interleaved with the builds: the same
//     schema and requests (inserted by this build's store, the same way), then the row work a pass
//     must do durably, in the engine's order and grouping, in plain SQL through better-sqlite3 / pg
//     (engine-ceiling.mjs: claim with lease, intent and generated secret, the in-memory create,
//     credentials, Ready with its event, request row and the lease's release), secrets sealed by
//     @paved/secrets. One process on SQLite; --workers processes on PostgreSQL, as the engine's.
//     Prints each build's rate as a fraction of the ceiling's in the same run (median of the runs').
//     --ceiling-wave N  instances a wave (SQLite 64: the group commit's batch, the engine's passes in
//     step; PostgreSQL 32), --ceiling-lanes N  waves in flight a PostgreSQL process (2, the engine's
//     write connections), --ceiling-seal off  envelopes of the same size, not sealed (crypto's share).
//     --ceiling-only  the ceiling alone, no build (to look at its shapes; no fraction then).
// Every run checks the rows a pass leaves (Ready and released, two secrets, the Ready event, the
// request's ready_at) for every instance, and that each instance was created exactly once.
// Each run is a child process. Prints one JSON line on stdout and a summary on stderr.
import { fork } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { checkRowWork, ceilingParts, runCeilingPostgres, runCeilingSqlite } from './engine-ceiling.mjs';
import { arg, cpuTicks, MACHINE_PG, median, percentile, round, tempFolder } from './lib.mjs';
import { dropDatabase, ownDatabase, ownProcess, stopOwnProcesses } from './leftovers.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
const HERE = resolve(fileURLToPath(new URL('..', import.meta.url)));
const role = arg('role');
const root = resolve(arg('root', HERE));
const instances = Number(arg('instances', arg('store', 'sqlite') === 'postgres' ? '20000' : '100000'));
const concurrency = Number(arg('concurrency', '64'));
const batch = Number(arg('batch', '500'));
// Only the requests and the first page, no engine: the insert path alone.
const insertOnly = process.argv.includes('--insert-only');
// Each `batch` through createInstances (one transaction) where the build has it, unless
// --single: then `batch` createInstance calls in flight at once, as concurrent API requests.
const useBatch = !process.argv.includes('--single');
// How PostgreSQL workers drive the engine: 'running' (start(), as a server) or 'batches' (runOnce()).
const pgLoop = arg('pg-loop', 'running');
if (pgLoop !== 'running' && pgLoop !== 'batches') throw new Error(`--pg-loop is running or batches, not ${pgLoop}`);
// The ceiling's run (a child's role with --ceiling-loop) and its shape (engine-ceiling.mjs).
const ceilingOnly = process.argv.includes('--ceiling-only');
const withCeiling = ceilingOnly || process.argv.includes('--ceiling');
const ceilingLoop = process.argv.includes('--ceiling-loop');
const ceilingWave = arg('ceiling-wave');
const ceilingLanes = Number(arg('ceiling-lanes', '2'));
const ceilingSeal = arg('ceiling-seal', 'on') !== 'off';

const manifest = {
  apiVersion: 'paved.dev/v1alpha1',
  kind: 'Product',
  metadata: { name: 'kv', title: 'Benchmark resource', owner: 'platform', lifecycle: 'ga' },
  spec: {
    version: '1.0.0',
    description: 'An in-memory resource for the engine benchmark.',
    driver: 'memory',
    inputs: { type: 'object', properties: { size: { type: 'integer', default: 1 } }, additionalProperties: false },
    plans: { small: { default: true, values: { tier: 'small' } } },
    outputs: { name: {}, token: { secret: true } },
  },
};

/** The packages of the build under `root` (this checkout, or the baseline's). */
async function packages() {
  const load = (path) => import(pathToFileURL(join(root, 'packages', path, 'dist/index.js')).href);
  const [store, engine, model, secrets, memory] = await Promise.all([load('store'), load('engine'), load('model'), load('secrets'), load('drivers/memory')]);
  return { ...store, ...engine, ...model, ...secrets, ...memory };
}

/** The in-memory driver, counting its creates per instance (exactly-once is checked on them). */
function countingDriver(p) {
  const driver = p.createMemoryDriver();
  const created = [];
  const counted = Object.create(driver);
  counted.create = (ctx) => {
    created.push(ctx.instance.id);
    return driver.create(ctx);
  };
  return { driver: counted, created };
}

// Every process of a run seals with the same key, as the servers of one deployment do (the ceiling too).
const MASTER_KEY = createHash('sha256').update('paved-bench-engine-throughput').digest();

function secretsFor(p, store) {
  return p.createSecretStore({ store, masterKey: { key: MASTER_KEY, id: p.masterKeyId(MASTER_KEY) } });
}

/** better-sqlite3 on the store's file, opened as the store opens it (dialect/sqlite.ts's pragmas). */
function rawSqlite(path) {
  const db = new Database(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -2000');
  return db;
}

const sqliteCount = (db) => async (sql) => db.prepare(sql).get().n;

/** The requests, through createInstance, `batch` at a time; then the API's first page of 50, timed. */
async function insertRequests(p, store, backends = undefined) {
  await store.migrate();
  const team = await store.createTeam({ name: 'bench', title: 'Benchmark team' });
  const user = await store.createUser({ name: 'bench', admin: false });
  const digest = createHash('sha256').update(JSON.stringify(manifest)).digest('hex');
  await store.publishProductVersion({ name: 'kv', version: '1.0.0', manifest, digest });
  const start = performance.now();
  const cpu = process.cpuUsage();
  const serverCpu = await backends?.sample();
  for (let i = 0; i < instances; i += batch) {
    const size = Math.min(batch, instances - i);
    const requests = Array.from({ length: size }, (_, j) => {
      // The ids the server makes: time-ordered (newId) where the build has it.
      const id = p.newId ? p.newId() : randomUUID();
      const name = `i${i + j}`;
      return {
        id, teamId: team.id, name, product: 'kv', productVersion: '1.0.0', plan: 'small', inputs: {},
        externalName: p.externalNameFor(team.name, name, id), target: 'mem', createdBy: user.id,
      };
    });
    if (useBatch && store.createInstances) {
      const outcomes = await store.createInstances(requests);
      const refused = outcomes.find((o) => o.status === 'rejected');
      if (refused) throw refused.reason;
    } else {
      await Promise.all(requests.map((request) => store.createInstance(request)));
    }
  }
  const insertSeconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const serverSeconds = serverCpu === undefined ? undefined : round((await backends.sample()) - serverCpu);
  await backends?.end();
  const pageMs = [];
  for (let i = 0; i < 220; i++) {
    const t = performance.now();
    await store.listInstances({ teamIds: [team.id], limit: 51 });
    if (i >= 20) pageMs.push(performance.now() - t);
  }
  return { insertSeconds: round(insertSeconds), insertCpuSeconds: round((used.user + used.system) / 1e6), ...(serverSeconds === undefined ? {} : { insertServerCpuSeconds: serverSeconds }), firstPage: { medianMs: round(median(pageMs)), p99Ms: round(percentile(pageMs, 99)) } };
}

function engineFor(p, store, driver, extra = {}) {
  return p.createEngine({
    store, secrets: secretsFor(p, store), drivers: { memory: driver }, targets: [{ name: 'mem', driver: 'memory', labels: {}, config: {} }],
    concurrency, leaseMs: 60_000, driftIntervalMs: 3_600_000, ...extra,
  });
}

/** Passes until nothing is due; with peers, instances they hold are theirs to finish. */
async function drain(store, engine) {
  let passes = 0;
  for (;;) {
    const ran = await engine.runOnce();
    passes += ran;
    if (ran > 0) continue;
    const next = await store.nextDueAt();
    if (next === undefined || next > Date.now()) return passes;
    await new Promise((done) => setTimeout(done, 5));
  }
}

/**
 * The engine's running loop (start(), as a server runs it) until every instance is created and
 * nothing is due before the drift check; stop() then waits for the passes still in flight.
 * `createdSoFar` counts the creates of every process on the store (this one's alone by default).
 */
async function runLoop(p, store, driver, created, createdSoFar = () => created.length) {
  let passes = 0;
  const engine = engineFor(p, store, driver, { observer: { passEnded: () => { passes++; }, firstReady: () => {} } });
  engine.start();
  for (;;) {
    await new Promise((done) => setTimeout(done, 20));
    if (createdSoFar() < instances) continue;
    const next = await store.nextDueAt();
    if (next === undefined || next > Date.now() + 60_000) break;
  }
  await engine.stop();
  return passes;
}

/** Every instance created exactly once, over all processes' counts. */
function verifyOnce(createdLists) {
  const counts = new Map();
  for (const list of createdLists) for (const id of list) counts.set(id, (counts.get(id) ?? 0) + 1);
  const twice = [...counts.values()].filter((n) => n > 1).length;
  if (counts.size !== instances || twice > 0) {
    throw new Error(`expected ${instances} instances created once each; ${counts.size} created, ${twice} of them more than once`);
  }
}

/** SQLite, one process: insert, first page, engine (or, with --ceiling-loop, the ceiling's loop on the store's file). */
async function runSqlite() {
  const p = await packages();
  const dir = tempFolder('paved-bench-engine-');
  const path = join(dir, 'paved.db');
  const store = await p.createStore({ url: path });
  let open = true;
  try {
    const inserted = await insertRequests(p, store);
    if (insertOnly) return inserted;
    let result;
    if (ceilingLoop) {
      // The same file as the store migrated and filled it, the store closed: the ceiling has the database to itself.
      await store.close();
      open = false;
      const parts = await ceilingParts(root, MASTER_KEY);
      const db = rawSqlite(path);
      try {
        const cpu = process.cpuUsage();
        const start = performance.now();
        const { created, commits } = runCeilingSqlite(db, parts, { wave: Number(ceilingWave ?? concurrency), seal: ceilingSeal });
        const seconds = (performance.now() - start) / 1000;
        const used = process.cpuUsage(cpu);
        verifyOnce([created]);
        await checkRowWork(sqliteCount(db), instances);
        result = { seconds: round(seconds), reconcilesPerSecond: Math.round(instances / seconds), cpuSeconds: round((used.user + used.system) / 1e6), commitsAPass: round(commits / instances), ...inserted };
      } finally {
        db.close();
      }
      return result;
    }
    const { driver, created } = countingDriver(p);
    const cpu = process.cpuUsage();
    const start = performance.now();
    const passes = await runLoop(p, store, driver, created);
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    verifyOnce([created]);
    if (passes !== instances) throw new Error(`expected ${instances} passes, got ${passes}`);
    await store.close();
    open = false;
    const db = rawSqlite(path);
    try {
      await checkRowWork(sqliteCount(db), instances);
    } finally {
      db.close();
    }
    return { seconds: round(seconds), reconcilesPerSecond: Math.round(instances / seconds), cpuSeconds: round((used.user + used.system) / 1e6), ...inserted };
  } finally {
    if (open) await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PostgreSQL worker process: an engine on `--url`, started by the parent's 'go', reporting its creates. */
async function runWorker() {
  const p = await packages();
  const store = await p.createStore({ url: arg('url') });
  const { driver, created } = countingDriver(p);
  // The database's backends' CPU over the passes (all workers' backends: with two workers each
  // reports the pair's, overlapping; the parent keeps the largest): the server's share of a pass.
  const backends = await backendsCpu(arg('url'));
  await tell({ ready: true });
  await new Promise((go) => process.once('message', go));
  const serverCpu = await backends.sample();
  const cpu = process.cpuUsage();
  const passes = pgLoop === 'batches' ? await drain(store, engineFor(p, store, driver)) : await runLoop(p, store, driver, created, allCreated(created));
  const used = process.cpuUsage(cpu);
  const serverSeconds = round((await backends.sample()) - serverCpu);
  await backends.end();
  await store.close();
  await tell({ passes, created, cpuSeconds: round((used.user + used.system) / 1e6), serverCpuSeconds: serverSeconds });
}

/** PostgreSQL ceiling process: the ceiling's loop on `--url`, started by the parent's 'go'. */
async function runCeilingWorker() {
  const url = arg('url');
  const parts = await ceilingParts(root, MASTER_KEY);
  const backends = await backendsCpu(url);
  // Connected before 'go', as an engine worker's store is: the lanes take these.
  const clients = [];
  for (let i = 0; i < ceilingLanes; i++) {
    const client = new pg.Client({ connectionString: url, pipeline: true });
    await client.connect();
    clients.push(client);
  }
  await tell({ ready: true });
  await new Promise((go) => process.once('message', go));
  const serverCpu = await backends.sample();
  const cpu = process.cpuUsage();
  const { created, commits } = await runCeilingPostgres(clients, parts, { wave: Number(ceilingWave ?? 32), seal: ceilingSeal });
  const used = process.cpuUsage(cpu);
  const serverSeconds = round((await backends.sample()) - serverCpu);
  await backends.end();
  await Promise.all(clients.map((client) => client.end()));
  await tell({ passes: created.length, created, commits, cpuSeconds: round((used.user + used.system) / 1e6), serverCpuSeconds: serverSeconds });
}

/**
 * The creates of every worker on the copy: this worker tells the parent its own count as it grows
 * (each 20 ms at most) and the parent answers every worker with the sum.
 */
function allCreated(created) {
  let total = created.length;
  let told = 0;
  process.on('message', (message) => { if (typeof message?.createdTotal === 'number') total = message.createdTotal; });
  const timer = setInterval(() => {
    if (created.length === told) return;
    told = created.length;
    process.send({ created: told });
  }, 20);
  return () => {
    if (total >= instances) clearInterval(timer);
    return total;
  };
}

/**
 * The CPU seconds (user + system, /proc) that PostgreSQL's backends for `url`'s database have
 * used so far, the sampler's own excepted: the server's share of the inserts, which wall-clock
 * time on a shared machine hides. Counts backends alive when sampled (a pool keeps its own).
 */
async function backendsCpu(url) {
  const sampler = new pg.Client({ connectionString: url });
  await sampler.connect();
  const tick = 100; // USER_HZ on Linux
  const sample = async () => {
    const { rows } = await sampler.query('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    let seconds = 0;
    for (const { pid } of rows) {
      try {
        const { user, system } = cpuTicks(pid);
        seconds += (user + system) / tick;
      } catch { /* gone since */ }
    }
    return seconds;
  };
  return { sample, end: () => sampler.end() };
}

/**
 * The engine's writes to the tables a pass touches, from the copy's statistics (the copy starts
 * at zero): updates and how many of them were heap-only (HOT, no index entry), and inserts, each
 * of which enters every index of its table. Read after the workers' backends have ended (a
 * backend hands its counts over when it ends).
 */
async function tableWrites(db) {
  let last = '';
  for (let i = 0; i < 10; i++) {
    const now = JSON.stringify(await tableWritesOnce(db));
    if (now === last) break;
    last = now;
    await new Promise((later) => setTimeout(later, 200));
  }
  return JSON.parse(last);
}

async function tableWritesOnce(db) {
  const { rows } = await db.query(`select relname, n_tup_ins, n_tup_upd, n_tup_hot_upd,
      (select count(*) from pg_index i where i.indrelid = t.relid) as indexes
    from pg_stat_user_tables t where relname in ('instances', 'instance_requests', 'events', 'secrets') order by relname`);
  // Transactions committed in the copy (each statement outside a transaction is one): the commits a pass, a few reads of this bench's own besides.
  const commits = Number((await db.query('select xact_commit from pg_stat_database where datname = current_database()')).rows[0].xact_commit);
  return { ...Object.fromEntries(rows.map((r) => [r.relname, { ins: Number(r.n_tup_ins), upd: Number(r.n_tup_upd), hot: Number(r.n_tup_hot_upd), indexes: Number(r.indexes) }])), commits };
}

const indexEntriesAPass = (updates) => (updates === undefined ? Number.NaN
  : round(Object.values(updates).reduce((sum, t) => (typeof t === 'object' ? sum + (t.ins + t.upd - t.hot) * t.indexes : sum), 0) / instances));
const hotShare = (table) => (table === undefined || table.upd === 0 ? Number.NaN : round(table.hot / table.upd));

/** Sends the parent a message and waits until it is out (the process then ends). */
const tell = (message) => new Promise((sent) => process.send(message, sent));

async function withAdmin(fn) {
  const admin = new pg.Client({ connectionString: MACHINE_PG });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

function urlOf(name) {
  const url = new URL(MACHINE_PG);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A child running this script in `childRole` for build `buildRoot` (its engine with `slots`); resolves with its last message. */
function child(childRole, buildRoot, extra = [], onMessage = () => {}, slots = concurrency) {
  const ceilingArgs = [...(ceilingWave === undefined ? [] : ['--ceiling-wave', ceilingWave]), '--ceiling-lanes', String(ceilingLanes), '--ceiling-seal', ceilingSeal ? 'on' : 'off'];
  const args = ['--role', childRole, '--root', buildRoot, '--instances', String(instances), '--concurrency', String(slots), '--batch', String(batch), '--pg-loop', pgLoop, ...(insertOnly ? ['--insert-only'] : []), ...(useBatch ? [] : ['--single']), ...ceilingArgs, ...extra];
  const proc = ownProcess(fork(SCRIPT, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] }));
  let out = '';
  proc.stdout.on('data', (chunk) => { out += chunk; });
  let last;
  proc.on('message', (message) => { last = message; onMessage(message, proc); });
  return new Promise((done, fail) => proc.on('exit', (code) => (code === 0 ? done(last ?? JSON.parse(out.trim().split('\n').at(-1))) : fail(new Error(`${childRole} exited with ${code}`)))));
}

/** PostgreSQL: insert into a fresh database once, then each worker count on its own copy of it (engine workers, or the ceiling's with `ceiling`). */
async function runPostgres(buildRoot, workerCounts, ceiling = false, slots = concurrency) {
  const base = `paved_bench_engine_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  ownDatabase(base, MACHINE_PG);
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${base}`));
  const copies = [];
  try {
    const inserted = await child('insert', buildRoot, ['--url', urlOf(base)]);
    const result = { ...inserted, workers: {} };
    if (insertOnly) return inserted;
    for (const workers of workerCounts) {
      const copy = `${base}_w${workers}`;
      copies.push(copy);
      ownDatabase(copy, MACHINE_PG);
      await withAdmin((admin) => admin.query(`CREATE DATABASE ${copy} TEMPLATE ${base}`));
      let ready = 0;
      let go;
      const started = new Promise((resolveStart) => { go = resolveStart; });
      const procs = [];
      // Each worker's creates so far; their sum goes back to every worker (the running loop's end).
      const createdBy = new Map();
      const finished = Array.from({ length: workers }, () => child(ceiling ? 'ceiling-worker' : 'worker', buildRoot, ['--url', urlOf(copy)], (message, proc) => {
        if (typeof message.created === 'number') {
          createdBy.set(proc, message.created);
          const createdTotal = [...createdBy.values()].reduce((a, b) => a + b, 0);
          for (const other of procs) if (other.connected) other.send({ createdTotal });
          return;
        }
        if (!message.ready) return;
        procs.push(proc);
        if (++ready === workers) go(performance.now());
      }, slots));
      const start = await started;
      for (const proc of procs) proc.send('go');
      const reports = await Promise.all(finished);
      const seconds = (performance.now() - start) / 1000;
      verifyOnce(reports.map((r) => r.created));
      const { readyCount, updates } = await withAdmin(async (admin) => {
        const db = new pg.Client({ connectionString: urlOf(copy) });
        await db.connect();
        try {
          const n = Number((await db.query(`select count(*) as n from instances where status::jsonb->>'phase' = 'Ready'`)).rows[0].n);
          const updates = await tableWrites(db);
          await checkRowWork(async (sql) => (await db.query(sql)).rows[0].n, instances);
          return { readyCount: n, updates };
        } finally {
          await db.end();
        }
      });
      if (readyCount !== instances) throw new Error(`expected ${instances} Ready instances with ${workers} worker(s), found ${readyCount}`);
      result.workers[workers] = { seconds: round(seconds), reconcilesPerSecond: Math.round(instances / seconds), passes: reports.map((r) => r.passes), cpuSeconds: reports.map((r) => r.cpuSeconds), serverCpuSeconds: Math.max(...reports.map((r) => r.serverCpuSeconds)), commitsAPass: round(updates.commits / instances), updates };
    }
    return result;
  } finally {
    // A failed run's other workers may still be on the copy: stopped before it is dropped.
    await stopOwnProcesses();
    for (const name of [...copies, base]) await dropDatabase(name, MACHINE_PG);
  }
}

if (role === 'sqlite') {
  console.log(JSON.stringify(await runSqlite()));
} else if (role === 'insert') {
  const p = await packages();
  const store = await p.createStore({ url: arg('url') });
  try {
    await tell(await insertRequests(p, store, await backendsCpu(arg('url'))));
  } finally {
    await store.close();
  }
} else if (role === 'worker') {
  await runWorker();
} else if (role === 'ceiling-worker') {
  await runCeilingWorker();
} else {
  await orchestrate();
}
// A forked child's IPC channel would keep it alive.
process.disconnect?.();

async function orchestrate() {
  const storeKind = arg('store', 'sqlite');
  const runs = Number(arg('runs', '1'));
  const baseline = arg('baseline');
  const workerCounts = arg('workers', '1,2').split(',').map(Number);
  const baselineConcurrency = Number(arg('baseline-concurrency', String(concurrency)));
  const builds = [...(ceilingOnly ? [] : [{ label: 'this', root: HERE }, ...(baseline ? [{ label: 'baseline', root: resolve(baseline), slots: baselineConcurrency }] : [])]), ...(withCeiling ? [{ label: 'ceiling', root: HERE, ceiling: true }] : [])];
  const results = Object.fromEntries(builds.map((b) => [b.label, []]));
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) {
      // Which worker count goes first alternates too: the second meets a warmer (or busier) machine.
      const counts = i % 2 === 0 ? workerCounts : [...workerCounts].reverse();
      const result = storeKind === 'postgres' ? await runPostgres(build.root, counts, build.ceiling === true, build.slots) : await child('sqlite', build.root, build.ceiling ? ['--ceiling-loop'] : [], undefined, build.slots);
      console.error(`  run ${i + 1} ${build.label}: ${JSON.stringify(result)}`);
      results[build.label].push(result);
    }
  }
  const med = (label, pick) => median(results[label].map(pick));
  const summary = (label) => ({
    insertSeconds: med(label, (r) => r.insertSeconds),
    // This process's CPU for the inserts (SQLite's work included; PostgreSQL's own is not): steadier than seconds on a shared machine.
    insertCpuSeconds: med(label, (r) => r.insertCpuSeconds),
    ...(storeKind === 'postgres' ? { insertServerCpuSeconds: med(label, (r) => r.insertServerCpuSeconds) } : {}),
    firstPageP99Ms: med(label, (r) => r.firstPage.p99Ms),
    ...(insertOnly ? {} : storeKind === 'postgres'
      ? Object.fromEntries(workerCounts.flatMap((w) => [
        [`workers${w}ReconcilesPerSecond`, med(label, (r) => r.workers[w].reconcilesPerSecond)],
        // The workers' CPU together, and their backends' (a baseline's workers may not report it).
        [`workers${w}CpuSeconds`, med(label, (r) => r.workers[w].cpuSeconds.reduce((a, b) => a + b, 0))],
        [`workers${w}ServerCpuSeconds`, med(label, (r) => r.workers[w].serverCpuSeconds ?? Number.NaN)],
        // Index entries a pass (inserts and non-HOT updates, times their table's indexes; partial indexes counted as whole), and the share of instance_requests' updates that were heap-only.
        [`workers${w}IndexEntriesAPass`, med(label, (r) => indexEntriesAPass(r.workers[w].updates))],
        [`workers${w}RequestsHotShare`, med(label, (r) => hotShare(r.workers[w].updates?.instance_requests))],
        // Transactions committed in the copy a pass (pg_stat_database; the bench's few reads included).
        [`workers${w}CommitsAPass`, med(label, (r) => r.workers[w].commitsAPass ?? Number.NaN)],
      ]))
      : { reconcilesPerSecond: med(label, (r) => r.reconcilesPerSecond), cpuSeconds: med(label, (r) => r.cpuSeconds), ...(label === 'ceiling' ? { commitsAPass: med(label, (r) => r.commitsAPass) } : {}) }),
  });
  const out = { bench: 'engine-throughput', store: storeKind, ...(storeKind === 'postgres' ? { pgLoop } : {}), instances, concurrency, ...(baseline && baselineConcurrency !== concurrency ? { baselineConcurrency } : {}), runs, medians: Object.fromEntries(builds.map((b) => [b.label, summary(b.label)])) };
  if (!insertOnly && storeKind === 'postgres' && workerCounts.includes(1) && workerCounts.includes(2)) {
    out.twoWorkersOverOne = Object.fromEntries(builds.map((b) => [b.label, round(median(results[b.label].map((r) => r.workers[2].reconcilesPerSecond / r.workers[1].reconcilesPerSecond)))]));
  }
  if (withCeiling && !ceilingOnly && !insertOnly) {
    // Each build's rate over the ceiling's in the same run (interleaved), the median of the runs' fractions.
    const rates = storeKind === 'postgres' ? workerCounts.map((w) => [`workers${w}`, (r) => r.workers[w].reconcilesPerSecond]) : [['sqlite', (r) => r.reconcilesPerSecond]];
    out.fractionOfCeiling = Object.fromEntries(builds.filter((b) => !b.ceiling).map((b) => [b.label, Object.fromEntries(rates.map(([name, rate]) => [name, round(median(results[b.label].map((r, i) => rate(r) / rate(results.ceiling[i]))))]))]));
  }
  if (baseline) {
    const [a, b] = [out.medians.this, out.medians.baseline];
    out.ratios = Object.fromEntries(Object.keys(a).map((k) => [k, round(a[k] / b[k])]));
  }
  console.log(JSON.stringify(out));
  console.error(`engine-throughput (${storeKind}, ${instances} instances, medians of ${runs}): ${JSON.stringify(out.medians)}${out.ratios ? ` ratios this/baseline ${JSON.stringify(out.ratios)}` : ''}${out.twoWorkersOverOne ? ` two workers over one ${JSON.stringify(out.twoWorkersOverOne)}` : ''}${out.fractionOfCeiling ? ` fraction of the ceiling ${JSON.stringify(out.fractionOfCeiling)}` : ''}`);
}
