// The contract checks alone, the way the engine runs them (runContractChecks: one shared
// session, the checks in order, the session closed at the end), with the issued credentials of
// an instance the driver has just created: each check's time (the first one includes the
// login), the session's close, and the total (what instance.ready's checksMs measures). No
// server, store or HTTP: only the driver against this machine's real service.
// `--baseline ../other-checkout` loads that build's driver and engine too and measures them in
// the same run, interleaved (each side in each position in turn), each run on an instance of its own.
// `--concurrent` runs this build's checks all at once on one session instead, measured beside
// the engine's run. Since round 6 the engine itself starts a driver's checks together when the
// driver says they may (`checksTogether`: redis, rabbitmq): then each check's time overlaps the
// others' and `close` (total minus their sum) is meaningless; the total is what counts. The
// session is closed in the background since round 6, so this build's total leaves out the close.
//
//   npm run build && node bench/contract-checks.mjs --product mysql [--runs 30] [--baseline /work/base] [--concurrent]
//   products: postgres, mysql (MariaDB), redis (plan small), amqp (RabbitMQ)
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { arg, compareSides, round } from './lib.mjs';
import { DRIVERS, driverContext, silentLogger as silent } from './bench-drivers.mjs';

const product = arg('product', 'mysql');
const runs = Number(arg('runs', '30'));
const baselineRoot = arg('baseline');
const concurrent = process.argv.includes('--concurrent');

const spec = DRIVERS[product];
if (!spec) throw new Error(`no driver for product ${product}`);
const CHECKS = ['connect', 'write-read', 'isolation'];

/** One build's driver and engine, loaded from its dist folders. */
async function loadSide(root, { atOnce = false, tag = root === ROOT ? 'a' : 'b' } = {}) {
  const load = (path) => import(pathToFileURL(join(root, path)).href);
  const drivers = await load(`packages/drivers/${spec.dir}/dist/index.js`);
  const engine = await load('packages/engine/dist/index.js');
  const driverApi = await load('packages/driver-api/dist/index.js');
  const driver = drivers[spec.factory]({ logger: silent });
  const target = { name: `bench-${spec.dir}`, driver: driver.type, labels: {}, config: spec.config };
  // Each check timed where the engine calls it; the session's close is the rest of the total.
  const timed = [];
  const timedDriver = {
    ...driver,
    checks: driver.checks.map((check) => ({
      ...check,
      async run(input) {
        const start = performance.now();
        try {
          return await check.run(input);
        } finally {
          timed.push([check.name, performance.now() - start]);
        }
      },
    })),
  };
  let n = 0;
  return {
    async run() {
      const externalName = `pv_bench_checks_${process.pid}_${tag}_${n++}`;
      const ctx = driverContext(driver, target, product, spec, externalName);
      const { outputs } = await driver.create(ctx);
      timed.length = 0;
      const start = performance.now();
      if (atOnce) {
        const session = driverApi.createCheckSession();
        await Promise.all(driver.checks.map((check) => check.run({ target, instance: ctx.instance, outputs, signal: ctx.signal, session })));
        await session.close();
        const total = performance.now() - start;
        for (const step of driver.deletion) await step.run(ctx);
        return { total };
      }
      const outcome = await engine.runContractChecks(timedDriver, CHECKS, {
        target, instance: ctx.instance, outputs, signal: ctx.signal, timeoutMs: 10_000, clock: engine.systemClock, redact: [],
      });
      const total = performance.now() - start;
      if (outcome.failed) throw new Error(`${outcome.failed.name}: ${outcome.failed.message}`);
      const byCheck = Object.fromEntries(timed);
      const result = { total, ...byCheck, close: total - timed.reduce((sum, [, ms]) => sum + ms, 0) };
      for (const step of driver.deletion) await step.run(ctx);
      return result;
    },
    close: () => driver.close(),
  };
}

const ROOT = resolve(import.meta.dirname, '..');
const sides = {
  this: await loadSide(ROOT),
  ...(baselineRoot ? { baseline: await loadSide(resolve(baselineRoot)) } : {}),
  ...(concurrent ? { concurrent: await loadSide(ROOT, { atOnce: true, tag: 'c' }) } : {}),
};
const { report, total } = await compareSides('contract-checks', product, runs, sides);
if (concurrent) report.concurrentRatio = round(total('concurrent') / total('this'), 3);
console.log(JSON.stringify(report));
