// CPU time of one read of the SQLite store's change counter (DialectAdapter.changeCounter, taken
// on every API read request, bench/README.md §2), this build and another checkout's
// (--baseline, built), interleaved: rounds of N reads each, alternating which build goes first,
// on a file database of each build's own. CPU time of this process, so the machine's load
// matters less than for req/s.
//
//   npm run build && node bench/sqlite-change-counter.mjs [--reads 200000] [--rounds 10] [--baseline ../base]
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, median, round, tempFolder } from './lib.mjs';

const reads = Number(arg('reads', '200000'));
const rounds = Number(arg('rounds', '10'));
const checkouts = { paved: fileURLToPath(new URL('..', import.meta.url)), ...(arg('baseline') ? { baseline: resolve(arg('baseline')) } : {}) };

const adapters = {};
for (const [build, root] of Object.entries(checkouts)) {
  const { createSqliteAdapter } = await import(join(root, 'packages/store/dist/dialect/sqlite.js'));
  adapters[build] = createSqliteAdapter(join(tempFolder('paved-counter-'), 'store.db'));
}
const runs = Object.fromEntries(Object.keys(adapters).map((build) => [build, []]));
for (let r = 0; r < rounds; r++) {
  const order = Object.keys(adapters);
  if (r % 2) order.reverse();
  for (const build of order) {
    const adapter = adapters[build];
    const before = process.cpuUsage();
    for (let i = 0; i < reads; i++) adapter.changeCounter();
    const used = process.cpuUsage(before);
    runs[build].push((used.user + used.system) / reads);
  }
}
for (const adapter of Object.values(adapters)) await adapter.close();
const us = Object.fromEntries(Object.entries(runs).map(([build, list]) => [build, round(median(list), 3)]));
console.log(JSON.stringify({ benchmark: 'sqlite-change-counter', reads, rounds, usPerRead: us, ...(us.baseline ? { ratio: round(us.paved / us.baseline, 3) } : {}) }));
