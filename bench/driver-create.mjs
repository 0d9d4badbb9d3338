// A driver's create alone (the statements or HTTP calls of a new instance's first pass, no
// checks), with fresh secrets on a fresh instance each run, interleaved with `--baseline`'s build
// in the same run; the instance is deleted after each run, outside the clock. No server, store or
// HTTP of Paved's: only the driver against this machine's real service. Added in round 8b to see
// the mysql admin pool's waits (bench/README §1).
//
//   npm run build && node bench/driver-create.mjs --product mysql [--runs 100] [--baseline /work/base8]
//   products: postgres, mysql (MariaDB), redis (plan small), amqp (RabbitMQ)
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { arg, compareSides } from './lib.mjs';
import { DRIVERS, driverContext, silentLogger as silent } from './bench-drivers.mjs';

const product = arg('product', 'mysql');
const runs = Number(arg('runs', '30'));
const baselineRoot = arg('baseline');

const spec = DRIVERS[product];
if (!spec) throw new Error(`no driver for product ${product}`);

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
      const ctx = driverContext(driver, target, product, spec, externalName);
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
const { report } = await compareSides('driver-create', product, runs, sides);
console.log(JSON.stringify(report));
