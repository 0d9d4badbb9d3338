// Driver benchmark: the script driver's create against spawning the same script directly
// (node:child_process, the same JSON on stdin), interleaved in one run, on the example
// product's provision.mjs with buckets in a temp folder. What the driver adds: config parsing,
// a process group, bounded output capture, JSON parsing and checks.
//
//   npx tsc -b && node bench/driver-script.mjs [--runs 40]
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createScriptDriver } from '@paved/driver-script';
import { silentLogger } from '@paved/driver-api';
import { arg, measureInterleaved, reportComparison, tempFolder } from './lib.mjs';

const runs = Math.max(30, Number(arg('runs', '40')));
const script = fileURLToPath(new URL('../examples/script-product/provision.mjs', import.meta.url));
const root = tempFolder('paved-bench-script-');
const target = { name: 'bench-buckets', driver: 'script', labels: {}, config: { executable: script, timeout: '30s', root } };
const driver = createScriptDriver();

function request(externalName, password) {
  return {
    apiVersion: 'paved.dev/v1alpha1',
    verb: 'create',
    instance: { id: randomUUID(), team: 'bench', name: externalName.replace(/_/g, '-'), externalName, product: 'object-store', plan: 'small', values: { quotaMb: 10 }, rotation: 0 },
    secrets: { password },
    target: { name: target.name, labels: {}, config: { root } },
  };
}

/** The same work without the driver: spawn, write stdin, read stdout, parse. */
function direct(req) {
  return new Promise((resolve, reject) => {
    const child = spawn(script, ['create'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}`))));
    child.stdin.end(JSON.stringify(req));
  });
}

/** Times one call; the result is not needed. */
async function timed(work) {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

let timings;
try {
  // The first two rounds warm up (module cache, page cache) and are not counted.
  timings = await measureInterleaved(
    runs,
    {
      direct: (i, password) => {
        const req = request(`pv_bench_d_${randomBytes(5).toString('hex')}`, password);
        return timed(() => direct(req));
      },
      driver: (i, password) => {
        const { instance } = request(`pv_bench_s_${randomBytes(5).toString('hex')}`, password);
        return timed(() => driver.create({ instance, target, secrets: { password }, signal: new AbortController().signal, logger: silentLogger }));
      },
    },
    { warmup: 2, shared: () => randomBytes(24).toString('hex') },
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}

reportComparison({ benchmark: 'driver-script' }, timings.direct, timings.driver, 'driver', { title: 'script create', directName: 'direct spawn' });
