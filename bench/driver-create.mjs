// A driver's create alone (the statements or HTTP calls of a new instance's first pass, no
// checks), with fresh secrets on a fresh instance each run, interleaved with `--baseline`'s build
// in the same run; the instance is deleted after each run, outside the clock. No server, store or
// HTTP of Paved's: only the driver against this machine's real service. Added in round 8b to see
// the mysql admin pool's waits (bench/README §1).
//
//   npm run build && node bench/driver-create.mjs --product mysql [--runs 100] [--baseline /work/base8]
//   products: postgres, mysql (MariaDB), redis (plan small), amqp (RabbitMQ)
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { arg, median, round } from './lib.mjs';
import { TARGETS } from './direct-ops.mjs';

const product = arg('product', 'mysql');
const runs = Number(arg('runs', '30'));
const baselineRoot = arg('baseline');

const DRIVERS = {
  postgres: { dir: 'postgres', factory: 'createPostgresDriver', config: { url: TARGETS.postgres, closeServerDatabases: false }, values: { connectionLimit: 20 } },
  mysql: { dir: 'mysql', factory: 'createMysqlDriver', config: { url: TARGETS.mysql }, values: { connectionLimit: 20 } },
  redis: { dir: 'redis', factory: 'createRedisDriver', config: { url: TARGETS.redis }, values: {} },
  amqp: { dir: 'rabbitmq', factory: 'createRabbitmqDriver', config: { managementUrl: TARGETS.rabbitmqManagement, amqpUrl: TARGETS.amqp }, values: { maxConnections: 20, maxQueues: 100 } },
};
const spec = DRIVERS[product];
if (!spec) throw new Error(`no driver for product ${product}`);

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** One build's driver, loaded from its dist folder. */
async function loadSide(root, { tag = root === ROOT ? 'a' : 'b' } = {}) {
  const load = (path) => import(pathToFileURL(join(root, path)).href);
  const drivers = await load(`packages/drivers/${spec.dir}/dist/index.js`);
  const driver = drivers[spec.factory]({ logger: silent });
  const target = { name: `bench-${spec.dir}`, driver: driver.type, labels: {}, config: spec.config };
  let n = 0;
  return {
    async run() {
      const externalName = `pv_bench_create_${process.pid}_${tag}_${n++}`;
      const ctx = {
        instance: { id: externalName, team: 'bench', name: externalName, externalName, product, plan: 'small', values: spec.values, rotation: 0 },
        target,
        secrets: Object.fromEntries(Object.entries(driver.secrets).map(([name, { bytes }]) => [name, randomBytes(bytes).toString('hex')])),
        signal: new AbortController().signal,
        logger: silent,
      };
      const start = performance.now();
      await driver.create(ctx);
      const total = performance.now() - start;
      for (const step of driver.deletion) await step.run(ctx);
      return { total };
    },
    close: () => driver.close(),
  };
}

const ROOT = resolve(import.meta.dirname, '..');
const sides = {
  this: await loadSide(ROOT),
  ...(baselineRoot ? { baseline: await loadSide(resolve(baselineRoot)) } : {}),
};
const labels = Object.keys(sides);
const results = Object.fromEntries(labels.map((label) => [label, []]));
try {
  for (const label of labels) await sides[label].run(); // warm-up: modules loaded, pools open
  // Every side in every position in turn (alternating the order alone keeps a middle one there).
  for (let i = 0; i < runs; i++) {
    const k = i % labels.length;
    const rotated = [...labels.slice(k), ...labels.slice(0, k)];
    for (const label of Math.floor(i / labels.length) % 2 ? rotated.reverse() : rotated) results[label].push(await sides[label].run());
  }
} finally {
  for (const side of Object.values(sides)) await side.close();
}

const medians = (rows) => Object.fromEntries(Object.keys(rows[0]).map((key) => [key, round(median(rows.map((row) => row[key])))]));
const report = { benchmark: 'driver-create', product, runs, loadavg: (await import('node:os')).loadavg().map((l) => round(l)) };
for (const label of labels) report[label] = medians(results[label]);
const total = (label) => median(results[label].map((r) => r.total));
if (baselineRoot) report.ratio = round(total('this') / total('baseline'), 3);
console.log(JSON.stringify(report));
