// Server instructions a read request (get one by default), counted by valgrind, so the figure does
// not move with the machine's load: `paved up` under `valgrind --tool=cachegrind --cache-sim=no`
// (on the SQLite store or a fresh PostgreSQL database; an API process, PAVED_ROLE=api, on data a
// `paved up` of the same build made first: team `readers` with 10 Ready `secret` instances), a
// fixed warm-up, then N requests (autocannon `amount`, 32 connections or --connections: with 1, every request
// meets an idle server, so the count does not move with how the machine's load batches them) in one run and
// M in another; (instructions(M) − instructions(N)) ÷ (M − N) is a request's. Each build
// (--baseline-cli another build's packages/cli/dist/main.js, or this one again for an A/A) is
// run the same way; runs can be repeated (--runs) to show the spread. `--kind hello` counts the
// ceiling's (bench/hello-world.mjs, no authorization header) the same way instead.
//
//   node bench/read-instructions.mjs [--store sqlite|postgres] [--kind get|list|phase] [--warmup 3000]
//     [--n 2000] [--m 12000] [--runs 1] [--connections 32] [--cli this build's] [--baseline-cli ../other/packages/cli/dist/main.js]
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createClient } from '@paved/client';
import { CLI, arg, cachegrind, freshDatabase, median, round, startPaved, tempFolder } from './lib.mjs';
import { ownProcess, stopProcess } from './leftovers.mjs';

const store = arg('store', 'sqlite');
const kind = arg('kind', 'get');
const warmup = Number(arg('warmup', '3000'));
const amounts = [Number(arg('n', '2000')), Number(arg('m', '12000'))];
const runs = Number(arg('runs', '1'));
const connections = Number(arg('connections', '32'));
const builds = kind === 'hello' ? { hello: undefined } : { paved: arg('cli', CLI), ...(arg('baseline-cli') ? { baseline: arg('baseline-cli') } : {}) };
const PATHS = { get: '/instances/key-7', list: '/instances?product=secret&limit=50', phase: '/instances?phase=Ready&limit=50' };

async function requests(url, token, amount) {
  const result = await autocannon({ url, connections, amount, timeout: 120, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
}

const summaryOf = (out) => {
  const summary = readFileSync(out, 'utf8').match(/^summary: (\d+)/m);
  if (!summary) throw new Error(`no summary in ${out}`);
  return Number(summary[1]);
};

/** Instructions of bench/hello-world.mjs that answered `amount` requests after the warm-up. */
async function helloInstructions(amount) {
  const out = join(tempFolder('paved-instr-'), 'cachegrind.out');
  const [command, ...args] = [...cachegrind(out), process.execPath, fileURLToPath(new URL('hello-world.mjs', import.meta.url))];
  const child = ownProcess(spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] }));
  try {
    const port = await new Promise((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`hello-world exited ${code}`)));
    });
    await requests(`http://127.0.0.1:${port}/hello`, undefined, warmup);
    await requests(`http://127.0.0.1:${port}/hello`, undefined, amount);
  } finally {
    await stopProcess(child, { graceMs: 300_000 });
  }
  return summaryOf(out);
}

/**
 * A data folder (and its PostgreSQL database) of `cli`'s, with team `readers` holding 10 Ready
 * `secret` instances: made once by a `paved up` of its own, so the measured processes start on it
 * as API processes (PAVED_ROLE=api), without the engine's passes and timers, whose work would
 * grow with the minutes a run lasts under valgrind rather than with its requests.
 */
async function prepared(cli) {
  const database = store === 'postgres' ? await freshDatabase('paved_bench_instr') : undefined;
  const env = { PAVED_EMBEDDED_POSTGRES: 'off', PAVED_RATE_LIMIT: '10000000', ...(database ? { PAVED_DATABASE_URL: database.url } : {}) };
  const paved = await startPaved(env, { cli });
  try {
    const client = createClient({ url: paved.url, token: paved.token });
    await client.createTeam({ name: 'readers' });
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.createInstance('readers', { name: `key-${i}`, product: 'secret' })));
    for (let i = 0; i < 600; i++) {
      if ((await client.listInstances('readers', { limit: 100 })).items.every((instance) => instance.status.phase === 'Ready')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await paved.stop();
  }
  return { dir: paved.dir, env: { ...env, PAVED_ROLE: 'api' }, drop: () => database?.drop() };
}

/** Instructions of one API process of `cli` that answered `amount` requests after the warm-up. */
async function instructions(cli, amount) {
  if (cli === undefined) return helloInstructions(amount);
  const { dir, env } = data.get(cli);
  const out = join(tempFolder('paved-instr-'), 'cachegrind.out');
  // A new port signs the CLI in with a new token (the one before is revoked): wait for it.
  rmSync(join(dir, 'cli.json'));
  const paved = await startPaved(env, { cli, dir, wrap: cachegrind(out) });
  try {
    const url = `${paved.url}/api/v1/teams/readers${PATHS[kind]}`;
    await requests(url, paved.token, warmup);
    await requests(url, paved.token, amount);
  } finally {
    await paved.stop({ graceMs: 300_000 });
  }
  return summaryOf(out);
}

const data = new Map();
for (const cli of Object.values(builds)) if (cli !== undefined) data.set(cli, await prepared(cli));
const perRequest = Object.fromEntries(Object.keys(builds).map((b) => [b, []]));
for (let r = 0; r < runs; r++) {
  const order = Object.keys(builds);
  if (r % 2) order.reverse();
  for (const build of order) {
    const [n, m] = [await instructions(builds[build], amounts[0]), await instructions(builds[build], amounts[1])];
    perRequest[build].push(Math.round((m - n) / (amounts[1] - amounts[0])));
    console.error(`${build} run ${r + 1}: ${n} and ${m} instructions, ${perRequest[build].at(-1)} a request`);
  }
}
const result = Object.fromEntries(Object.entries(perRequest).map(([b, list]) => [b, { perRequest: list, median: median(list) }]));
if (result.baseline) result.ratio = round(result.paved.median / result.baseline.median, 3);
for (const { drop } of data.values()) await drop();
console.log(JSON.stringify({ benchmark: 'read-instructions', store, kind, warmup, amounts, ...result }));
