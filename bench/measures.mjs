// The platform's measures over a large history: how long each aggregate query takes with
// 100,000 requests (and their instances, interventions, services) in the store, on SQLite and
// on PostgreSQL. Rows are bulk-inserted straight into the tables (the ledger is what the
// queries read); the queries are the store's own, through the built @paved/store.
//
//   node bench/measures.mjs [--requests 100000] [--runs 15] [--dialects sqlite,postgres] [--baseline ../other-checkout] [--chronological]
//
// --baseline: the same history in a second store of another build (its own migrations), the
// queries asked of both interleaved (each run asks each build once, the order alternating).
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { arg, freshDatabase, tempFolder } from './lib.mjs';

if (process.argv.includes('--help')) {
  console.log('node bench/measures.mjs [--requests 100000] [--runs 15] [--dialects sqlite,postgres] [--baseline <checkout, built>] [--chronological]');
  process.exit(0);
}

const REQUESTS = Number(arg('requests', '100000'));
const RUNS = Number(arg('runs', '15'));
const DIALECTS = arg('dialects', 'sqlite,postgres').split(',');
// The ledger's rows in the order of their request times, as the store appends them (each row is
// written with its request); without it, in the history's random order (the bench before round 11).
const CHRONOLOGICAL = process.argv.includes('--chronological');
const HERE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILDS = [{ label: 'this', root: HERE }, ...(arg('baseline') ? [{ label: 'baseline', root: resolve(arg('baseline')) }] : [])];
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 2);
const TEAMS = 200;
const PRODUCTS = 12;
const SERVICES = 3_000;

/** Deterministic pseudo-random numbers, so both dialects hold the same history. */
function random(seed) {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

function history() {
  const r = random(42);
  const teams = Array.from({ length: TEAMS }, (_, i) => ({ id: randomUUID(), name: `team-${i}`, created: NOW - 400 * DAY + i * DAY }));
  const services = Array.from({ length: SERVICES }, (_, i) => ({ id: randomUUID(), team: teams[i % TEAMS], created: NOW - 365 * DAY + Math.floor(r() * 300 * DAY) }));
  const requests = [];
  const interventions = [];
  for (let i = 0; i < REQUESTS; i++) {
    const team = teams[Math.floor(r() * TEAMS)];
    const requested = NOW - Math.floor(r() * 365 * DAY);
    const outcome = r();
    const ready = outcome < 0.9 ? requested + 500 + Math.floor(r() * 60_000) : null;
    const failed = outcome >= 0.9 && outcome < 0.97 ? requested + 2_000 : null;
    const deleted = r() < 0.3 ? requested + Math.floor(r() * 30 * DAY) : null;
    const service = r() < 0.6 ? services[Math.floor(r() * SERVICES)] : undefined;
    requests.push({ id: randomUUID(), team, product: `product-${i % PRODUCTS}`, version: `1.${i % 3}.0`, service, requested, ready, failed, deleted });
    if (r() < 0.08) interventions.push({ request: requests[i], at: requested + 1_000, kind: r() < 0.5 ? 'retry' : 'help' });
  }
  return { teams, services, requests, interventions };
}

async function insertAll(run, table, columns, rows) {
  for (let i = 0; i < rows.length; i += 500) await run(table, columns, rows.slice(i, i + 500));
}

/** Writes the history with the dialect's own client, in batches. */
async function seed(store, url, h) {
  const iso = (ms) => new Date(ms).toISOString();
  let run;
  let close = async () => {};
  if (store.dialect === 'postgres') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    run = (table, columns, rows) => {
      const values = rows.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(',')})`).join(',');
      return client.query(`insert into ${table} (${columns.join(',')}) values ${values}`, rows.flat());
    };
    // What autovacuum does on a live database after a large load: statistics and the
    // visibility map (without it no scan is index-only).
    close = async () => {
      await client.query('vacuum analyze');
      await client.end();
    };
  } else {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(url);
    run = async (table, columns, rows) => {
      const values = rows.map(() => `(${columns.map(() => '?').join(',')})`).join(',');
      db.prepare(`insert into ${table} (${columns.join(',')}) values ${values}`).run(rows.flat());
    };
    close = async () => db.close();
  }
  await insertAll(run, 'teams', ['id', 'name', 'title', 'platform', 'created_at'], h.teams.map((t) => [t.id, t.name, t.name, 0, iso(t.created)]));
  await insertAll(run, 'service_lifetimes', ['service_id', 'team_id', 'created_at', 'deleted_at'], h.services.map((s) => [s.id, s.team.id, s.created, null]));
  await insertAll(run, 'instance_requests',
    ['instance_id', 'team_id', 'product', 'product_version', 'service_id', 'parent_id', 'requested_at', 'ready_at', 'failed_at', 'delete_requested_at', 'deleted_at'],
    (CHRONOLOGICAL ? [...h.requests].sort((a, b) => a.requested - b.requested) : h.requests).map((q) => [q.id, q.team.id, q.product, q.version, q.service?.id ?? null, null, q.requested, q.ready, q.failed, q.deleted, q.deleted]));
  const live = h.requests.filter((q) => q.deleted === null);
  await insertAll(run, 'instances',
    ['id', 'team_id', 'name', 'product', 'product_version', 'plan', 'inputs', 'external_name', 'target', 'generation', 'observed_generation', 'deletion_requested',
      'status', 'outputs', 'status_hash', 'created_by', 'created_at', 'updated_at', 'attempts', 'due_at', 'claimed_generation', 'rotation', 'desired_rotation',
      'claimed_desired_rotation', 'shared', 'service_id'],
    live.map((q, i) => [q.id, q.team.id, `i-${i}`, q.product, q.version, 'small', '{}', `x${i}`, 't', 1, 1, 0, '{"phase":"Ready","conditions":[]}', '{}', 'h', 'bench',
      iso(q.requested), iso(q.requested), 0, NOW + DAY, 1, 0, 0, 0, 0, q.service?.id ?? null]));
  await insertAll(run, 'interventions', ['id', 'at', 'team_id', 'product', 'instance_id', 'instance_name', 'kind', 'actor', 'note'],
    h.interventions.map((v, i) => [randomUUID(), v.at, v.request.team.id, v.request.product, v.request.id, `i-${i}`, v.kind, 'root', '']));
  await close();
  return live.length;
}

/** Times one call of `fn` into `samples`. */
async function sample(fn, samples) {
  const start = performance.now();
  await fn();
  samples.push(performance.now() - start);
}

const stats = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], p95: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] };
};

/** A fresh store of `dialect` from build `root`, migrated by that build and seeded with history `h`. */
async function openSeeded(dialect, root, label, h) {
  const { createStore } = await import(pathToFileURL(join(root, 'packages/store/dist/index.js')).href);
  let url;
  let cleanup;
  if (dialect === 'sqlite') {
    const dir = tempFolder('paved-bench-measures-');
    url = join(dir, 'paved.db');
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    // Owned until dropped (leftovers.mjs), as every bench database.
    const database = await freshDatabase(`paved_bench_measures_${label}`);
    url = database.url;
    cleanup = database.drop;
  }
  const store = await createStore({ url, now: () => NOW });
  try {
    await store.migrate();
    const seeded = performance.now();
    const live = await seed(store, url, h);
    return { label, store, live, seedMs: performance.now() - seeded, close: async () => { await store.close(); await cleanup(); } };
  } catch (error) {
    await store.close();
    await cleanup();
    throw error;
  }
}

async function measure(dialect) {
  const h = history();
  const sides = [];
  try {
    for (const build of BUILDS) sides.push(await openSeeded(dialect, build.root, build.label, h));
    const month = { since: NOW - 30 * DAY, until: NOW + 1 };
    const quarter = { since: NOW - 13 * 7 * DAY, until: NOW + 1 };
    const weeks = Array.from({ length: 12 }, (_, i) => NOW - (11 - i) * 7 * DAY);
    const rows = [
      ['requestOutcomes, 30 days, all products', (s) => s.requestOutcomes(month)],
      ['requestOutcomes, 30 days, one product', (s) => s.requestOutcomes(month, { products: ['product-3'] })],
      ['timeToReady by version, 30 days', (s) => s.timeToReady(month, 'version')],
      ['timeToReady by product, 365 days', (s) => s.timeToReady({ since: NOW - 365 * DAY, until: NOW + 1 }, 'product')],
      ['liveInstances by version', (s) => s.liveInstances('version')],
      ['firstReadyByTeam, one product', (s) => s.firstReadyByTeam({ products: ['product-3'] })],
      ['firstReadyByTeam, all products', (s) => s.firstReadyByTeam()],
      ['adoptionAt, 12 weekly cut-offs', (s) => s.adoptionAt(weeks)],
      ['interventionCounts, 13 weeks', (s) => s.interventionCounts(quarter)],
      ['unassistedReady, 13 weeks', (s) => s.unassistedReady(quarter)],
      ['queueDepth', (s) => s.queueDepth()],
    ];
    console.log(`\n${dialect}: ${REQUESTS} requests (${sides[0].live} live instances), ${h.interventions.length} interventions, ${SERVICES} services; seeded in ${sides.map((s) => `${(s.seedMs / 1000).toFixed(1)} s (${s.label})`).join(', ')}`);
    const head = sides.map((s) => `${s.label} median ms (p95)`);
    console.log(`| query | ${head.join(' | ')}${sides.length > 1 ? ' | ratio |' : ' |'}\n|${' --- |'.repeat(head.length + (sides.length > 1 ? 2 : 1))}`);
    for (const [what, fn] of rows) {
      // Interleaved: each run asks every build once, which goes first alternating.
      const samples = sides.map(() => []);
      for (let i = 0; i < RUNS; i++) {
        const order = i % 2 === 0 ? sides.map((_, n) => n) : sides.map((_, n) => n).reverse();
        for (const n of order) await sample(() => fn(sides[n].store), samples[n]);
      }
      const t = samples.map(stats);
      const cells = t.map((x) => `${x.median.toFixed(1)} (${x.p95.toFixed(1)})`);
      console.log(`| ${what} | ${cells.join(' | ')}${t.length > 1 ? ` | ${(t[0].median / t[1].median).toFixed(2)}× |` : ' |'}`);
    }
  } finally {
    for (const side of sides) await side.close();
  }
}

for (const dialect of DIALECTS) await measure(dialect);
