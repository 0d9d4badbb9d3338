// Server CPU per read request (µs, /proc/PID/stat of `paved up` across each load), this build and
// another one (--baseline-cli) loaded at the same time, each at the same fixed rate, so both meet
// the same machine: steadier than req/s on a shared machine. With --count-async, also the async
// resources (promises, others) each request makes (bench/count-async.cjs). Linux only.
//
//   node bench/read-cost.mjs [--store sqlite|postgres] [--kind get|list|phase] [--loads 5] [--seconds 2]
//     [--rate 500] [--baseline-cli ../other/packages/cli/dist/main.js] [--count-async]
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createClient } from '@paved/client';
import { CLI, arg, cpuTicks, freshDatabase, median, startPaved } from './lib.mjs';

const store = arg('store', 'sqlite');
const kind = arg('kind', 'get');
const loads = Number(arg('loads', '5'));
const seconds = Number(arg('seconds', '2'));
const rate = Number(arg('rate', '500'));
const countAsync = process.argv.includes('--count-async');
const builds = { paved: CLI, ...(arg('baseline-cli') ? { baseline: arg('baseline-cli') } : {}) };
const PATHS = { get: '/instances/key-7', list: '/instances?product=secret&limit=50', phase: '/instances?phase=Ready&limit=50' };

const cpuSeconds = (pid) => {
  const { user, system } = cpuTicks(pid);
  return (user + system) / 100;
};
const asyncCounts = (pid) => {
  try {
    return JSON.parse(readFileSync(join(tmpdir(), `paved-async-${pid}.json`), 'utf8'));
  } catch {
    return { promises: 0, others: 0 };
  }
};

/** A `paved up` of `cli` with team `readers` holding 100 Ready `secret` instances (as bench/api-reads.mjs). */
async function startReader(cli) {
  const database = store === 'postgres' ? await freshDatabase('paved_bench_cost') : undefined;
  const nodeArgs = countAsync ? ['--require', fileURLToPath(new URL('count-async.cjs', import.meta.url))] : [];
  const paved = await startPaved({
    PAVED_EMBEDDED_POSTGRES: 'off', PAVED_RATE_LIMIT: '10000000', ...(database ? { PAVED_DATABASE_URL: database.url } : {}),
  }, { cli, nodeArgs });
  const client = createClient({ url: paved.url, token: paved.token });
  await client.createTeam({ name: 'readers' });
  for (let i = 0; i < 100; i += 20) {
    await Promise.all(Array.from({ length: 20 }, (_, j) => client.createInstance('readers', { name: `key-${i + j}`, product: 'secret' })));
  }
  for (let i = 0; i < 600; i++) {
    if ((await client.listInstances('readers', { limit: 100 })).items.every((instance) => instance.status.phase === 'Ready')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { paved, database, url: `${paved.url}/api/v1/teams/readers${PATHS[kind]}` };
}

async function measure({ paved, url }, duration) {
  const before = { cpu: cpuSeconds(paved.pid), async: asyncCounts(paved.pid) };
  const result = await autocannon({ url, connections: 32, duration, overallRate: rate, headers: { authorization: `Bearer ${paved.token}` } });
  const cpu = cpuSeconds(paved.pid) - before.cpu;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  await new Promise((r) => setTimeout(r, 450)); // the counts file is written every 200 ms
  const after = asyncCounts(paved.pid);
  const n = result.requests.total;
  return { cpuUs: (cpu / n) * 1e6, promises: (after.promises - before.async.promises) / n, others: (after.others - before.async.others) / n };
}

const readers = {};
try {
  for (const [build, cli] of Object.entries(builds)) readers[build] = await startReader(cli);
  const runs = Object.fromEntries(Object.keys(readers).map((build) => [build, []]));
  await Promise.all(Object.values(readers).map((reader) => measure(reader, 2))); // warm-up
  for (let i = 0; i < loads; i++) {
    const measured = await Promise.all(Object.values(readers).map((reader) => measure(reader, seconds)));
    Object.keys(readers).forEach((build, j) => runs[build].push(measured[j]));
  }
  const summary = Object.fromEntries(Object.entries(runs).map(([build, list]) => [build, {
    cpuUsPerRequest: Number(median(list.map((m) => m.cpuUs)).toFixed(1)),
    ...(countAsync ? { promisesPerRequest: Number(median(list.map((m) => m.promises)).toFixed(1)), otherResourcesPerRequest: Number(median(list.map((m) => m.others)).toFixed(1)) } : {}),
  }]));
  const ratios = runs.baseline ? runs.paved.map((m, i) => m.cpuUs / runs.baseline[i].cpuUs) : [];
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(JSON.stringify({ benchmark: 'read-cost', store, kind, rate, loads, seconds, load, ...summary, ...(ratios.length ? { cpuRatio: Number(median(ratios).toFixed(3)) } : {}) }));
} finally {
  for (const { paved, database } of Object.values(readers)) {
    await paved.stop();
    await database?.drop();
  }
}
