// Benchmark 2: API reads under load with autocannon, 32 connections: get one instance, a list
// filtered by product and one filtered by phase (first page of 50, from a team with 100: the
// secret product's quota, all Ready),
// on the SQLite default store and on the PostgreSQL store (PAVED_DATABASE_URL, a fresh database
// on this machine's PostgreSQL). `secret` instances are used so the reads measure Paved, not a
// target. The ceiling, measured in the same run and interleaved with Paved's reads: a Fastify
// hello-world route returning a small JSON object (bench/hello-world.mjs), in its own process.
// `--baseline-cli` measures another build too (its packages/cli/dist/main.js), interleaved.
//
//   npm run build && node bench/api-reads.mjs [--seconds 5] [--rounds 3] [--store sqlite|postgres|both]
//     [--baseline-cli ../other/packages/cli/dist/main.js] [--rate-limit 0 (off)]
//
// Prints one JSON line on stdout (medians over the rounds) and a summary on stderr.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createClient } from '@paved/client';
import { CLI, arg, freshDatabase, median, round, startPaved } from './lib.mjs';
import { ownProcess, stopProcess } from './leftovers.mjs';

const seconds = Number(arg('seconds', '5'));
const rounds = Number(arg('rounds', '3'));
const storeArg = arg('store', 'both');
const stores = storeArg === 'both' ? ['sqlite', 'postgres'] : [storeArg];
const baselineCli = arg('baseline-cli');
const TARGETS = { get: 20_000, list: 3_400, phase: 3_400 };
const P99_TARGET_MS = 10;

async function startHello() {
  const child = ownProcess(spawn(process.execPath, [fileURLToPath(new URL('hello-world.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const port = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`hello-world exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => stopProcess(child) };
}

async function load(url, token, duration) {
  const result = await autocannon({ url, connections: 32, duration, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

/** A `paved up` of `cli` on `store`, with team `readers` holding 100 `secret` instances. */
async function startReader(store, cli) {
  const database = store === 'postgres' ? await freshDatabase('paved_bench_reads') : undefined;
  // Every request is counted against the token as in production, with an allowance the load cannot use up.
  const paved = await startPaved({
    PAVED_EMBEDDED_POSTGRES: 'off', PAVED_RATE_LIMIT: arg('rate-limit', '10000000'), ...(database ? { PAVED_DATABASE_URL: database.url } : {}),
  }, { cli });
  const client = createClient({ url: paved.url, token: paved.token });
  await client.createTeam({ name: 'readers' });
  for (let i = 0; i < 100; i += 20) {
    await Promise.all(Array.from({ length: 20 }, (_, j) => client.createInstance('readers', { name: `key-${i + j}`, product: 'secret' })));
  }
  // The phase filter keeps all 100 once the engine has made them Ready (secret instances are quick).
  for (let i = 0; i < 600; i++) {
    const ready = (await client.listInstances('readers', { limit: 100 })).items.filter((instance) => instance.status.phase === 'Ready');
    if (ready.length === 100) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // A build without a filter refuses it: it lists the same 50 (all 100 are `secret` and Ready) unfiltered.
  const unfiltered = `${paved.url}/api/v1/teams/readers/instances?limit=50`;
  const ifAccepted = async (url) => ((await fetch(url, { headers: { authorization: `Bearer ${paved.token}` } })).ok ? url : unfiltered);
  const listUrl = await ifAccepted(`${paved.url}/api/v1/teams/readers/instances?product=secret&limit=50`);
  const phaseUrl = await ifAccepted(`${paved.url}/api/v1/teams/readers/instances?phase=Ready&limit=50`);
  return {
    get: (duration) => load(`${paved.url}/api/v1/teams/readers/instances/key-7`, paved.token, duration),
    list: (duration) => load(listUrl, paved.token, duration),
    phase: (duration) => load(phaseUrl, paved.token, duration),
    stop: async () => {
      await paved.stop();
      await database?.drop();
    },
  };
}

async function measureStore(store, hello) {
  const builds = { paved: await startReader(store, CLI) };
  try {
    if (baselineCli) builds.baseline = await startReader(store, baselineCli);
    const sides = { ceiling: (duration) => load(`${hello.url}/hello`, undefined, duration) };
    for (const [build, reader] of Object.entries(builds)) {
      sides[`${build} get`] = reader.get;
      sides[`${build} list`] = reader.list;
      sides[`${build} phase`] = reader.phase;
    }
    // A warm-up round (not counted) so every side meets a JIT-compiled server.
    for (const side of Object.values(sides)) await side(Math.min(seconds, 2));
    const runs = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
    for (let r = 0; r < rounds; r++) {
      const order = Object.keys(sides);
      if (r % 2) order.reverse();
      for (const name of order) runs[name].push(await sides[name](seconds));
    }
    const summary = (list) => ({
      requestsPerSecond: round(median(list.map((x) => x.requestsPerSecond)), 0),
      p50Ms: median(list.map((x) => x.p50Ms)),
      p99Ms: median(list.map((x) => x.p99Ms)),
    });
    const ceiling = summary(runs.ceiling);
    const read = (build, kind, title) => {
      const s = summary(runs[`${build} ${kind}`]);
      return {
        build, title, ...s, ofCeiling: round(s.requestsPerSecond / ceiling.requestsPerSecond, 3),
        target: TARGETS[kind], met: s.requestsPerSecond >= TARGETS[kind] && s.p99Ms < P99_TARGET_MS,
      };
    };
    const results = Object.keys(builds).flatMap((build) => [
      read(build, 'get', 'get one instance'),
      read(build, 'list', 'list filtered by product, 50 of 100'),
      read(build, 'phase', 'list filtered by phase, 50 of 100'),
    ]);
    return { store, ceiling, results };
  } finally {
    for (const reader of Object.values(builds)) await reader.stop();
  }
}

const hello = await startHello();
const measured = [];
try {
  for (const store of stores) measured.push(await measureStore(store, hello));
} finally {
  await hello.stop();
}
console.log(JSON.stringify({ benchmark: 'api-reads', connections: 32, seconds, rounds, stores: measured }));
for (const m of measured) {
  console.error(`api-reads ${m.store}: ceiling (Fastify hello-world) ${m.ceiling.requestsPerSecond} req/s, p99 ${m.ceiling.p99Ms} ms`);
  for (const r of m.results) {
    console.error(`  ${r.build} ${r.title}: ${r.requestsPerSecond} req/s (${r.ofCeiling} of the ceiling), p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms; `
      + `target ${r.target} req/s and p99 < ${P99_TARGET_MS} ms: ${r.met ? 'met' : 'not met'}`);
  }
}
