// Driver micro-benchmark: the redis driver's create (ACL SETUSER … + ACL SAVE) beside the same
// two commands sent directly with ioredis, interleaved in one run against a private
// redis-server with an aclfile (so both persist, as production should). Same secrets both ways.
//
//   npx tsc -b packages/drivers/redis && node bench/driver-redis.mjs [--runs 50]
import { spawn } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createRedisDriver, TENANT_COMMAND_RULES } from '@paved/driver-redis';
import { arg, freePort, measureInterleaved, reportComparison, tempFolder } from './lib.mjs';
import { ownProcess } from './leftovers.mjs';

const runs = Math.max(30, Number(arg('runs', '50')));
const dir = tempFolder('paved-bench-redis-');
const aclfile = join(dir, 'users.acl');
writeFileSync(aclfile, '');
const port = await freePort();
const server = ownProcess(spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--aclfile', aclfile, '--daemonize', 'no', '--dir', dir], { stdio: 'ignore' }));
const url = `redis://127.0.0.1:${port}`;
const admin = new Redis(url, { lazyConnect: true, retryStrategy: () => 50 });
admin.on('error', () => {});
// redis-server is ready in ~15 ms; poll rather than race it.
for (let i = 0; ; i++) {
  try {
    await admin.connect();
    break;
  } catch (error) {
    if (i > 100) throw error;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const target = { name: 'bench', driver: 'redis', labels: {}, config: { url } };
const driver = createRedisDriver();
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const ctxFor = (name, password) => ({
  instance: { id: name, team: 'bench', name, externalName: name, product: 'redis', plan: 'small', values: {}, rotation: 0 },
  target,
  secrets: { password },
  signal: new AbortController().signal,
  logger: silent,
});

async function direct(name, password) {
  const hash = createHash('sha256').update(password).digest('hex');
  const start = performance.now();
  await admin.call('ACL', 'SETUSER', name, 'reset', 'on', `#${hash}`, `~${name}:*`, `&${name}:*`, ...TENANT_COMMAND_RULES);
  await admin.call('ACL', 'SAVE');
  const ms = performance.now() - start;
  await admin.call('ACL', 'DELUSER', name);
  return ms;
}

async function throughDriver(name, password) {
  const ctx = ctxFor(name, password);
  const start = performance.now();
  await driver.create(ctx);
  const ms = performance.now() - start;
  for (const step of driver.deletion) await step.run(ctx);
  return ms;
}

try {
  // Warm both paths (connections, facts) before measuring.
  await throughDriver(`pv_bench_warm_${randomBytes(3).toString('hex')}`, randomBytes(24).toString('hex'));
  await direct(`pv_bench_warm_${randomBytes(3).toString('hex')}`, randomBytes(24).toString('hex'));
  const times = await measureInterleaved(
    runs,
    {
      direct: (i, password) => direct(`pv_bench_d_${i}_${randomBytes(3).toString('hex')}`, password),
      driver: (i, password) => throughDriver(`pv_bench_p_${i}_${randomBytes(3).toString('hex')}`, password),
    },
    { shared: () => randomBytes(24).toString('hex') },
  );
  reportComparison({ benchmark: 'driver-redis-create' }, times.direct, times.driver, 'driver', { digits: 3, title: 'redis create' });
} finally {
  await driver.close();
  admin.disconnect();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
