// Driver micro-benchmark: the redis driver's create of a dedicated server (claim a port, write
// the config file and aclfile, start redis-server detached, wait until it answers, set the users
// and settings) beside the same server started by hand (write the two files, spawn, poll PING),
// interleaved in one run; then the driver's deletion (kill, remove the folder, release the port).
//
//   npx tsc -b packages/drivers/redis && node bench/driver-redis-dedicated.mjs [--runs 30]
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createRedisDriver } from '@paved/driver-redis';
import { arg, freePort, measureInterleaved, median, percentile, reportComparison, round, tempFolder } from './lib.mjs';
import { ownLeftover, ownProcess } from './leftovers.mjs';

const runs = Math.max(30, Number(arg('runs', '30')));
const dataDir = tempFolder('paved-bench-redis-servers-');
// The driver starts each dedicated redis-server detached, in a process group of its own (as it
// must in production, to outlive a restart of Paved), so a Ctrl-C of this benchmark reaches none of
// them and its deletion steps never run: on every way out, whatever still runs a config file under
// dataDir is killed, before the folder is removed.
const killServers = ['-e', `require('node:child_process').spawnSync('pkill', ['-KILL', '-f', ${JSON.stringify(`${dataDir}/`)}])`];
ownLeftover(async () => void spawnSync(process.execPath, killServers), killServers);
const first = 20_000 + Math.floor(Math.random() * 400) * 20;
const target = { name: 'bench', driver: 'redis', labels: {}, config: { servers: { bind: '127.0.0.1', ports: `${first}-${first + 9}`, dataDir, redisServer: '/usr/bin/redis-server' } } };
const driver = createRedisDriver();
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const values = { server: 'dedicated', maxmemory: '16mb', maxmemoryPolicy: 'noeviction', persistence: 'aof' };
const ctxFor = (name, password) => ({
  instance: { id: name, team: 'bench', name, externalName: name, product: 'redis', plan: 'dedicated', values, rotation: 0 },
  target,
  secrets: { password },
  signal: new AbortController().signal,
  logger: silent,
});
const deletions = [];

async function byHand(i, password) {
  const dir = join(dataDir, `hand_${i + 10}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const hash = createHash('sha256').update(password).digest('hex');
  const start = performance.now();
  writeFileSync(join(dir, 'users.acl'), `user default on #${hash} ~* &* +@all\n`);
  writeFileSync(join(dir, 'redis.conf'), [`bind 127.0.0.1`, `port ${port}`, `dir ${join(dir, 'data')}`, `aclfile ${join(dir, 'users.acl')}`, 'maxmemory 16mb', 'appendonly yes', 'save ""', ''].join('\n'));
  const server = ownProcess(spawn('/usr/bin/redis-server', [join(dir, 'redis.conf')], { detached: true, stdio: 'ignore' }));
  const redis = new Redis({ port, password, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  for (;;) {
    try {
      await redis.connect();
      if ((await redis.ping()) === 'PONG') break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  const ms = performance.now() - start;
  redis.disconnect();
  server.kill('SIGKILL');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

async function throughDriver(i, password) {
  const ctx = ctxFor(`pv_bench_${i + 10}_${randomBytes(3).toString("hex")}`, password);
  const start = performance.now();
  await driver.create(ctx);
  const ms = performance.now() - start;
  const deleting = performance.now();
  for (const step of driver.deletion) await step.run(ctx);
  deletions.push(performance.now() - deleting);
  return ms;
}

try {
  const times = await measureInterleaved(runs, { direct: byHand, driver: throughDriver }, { warmup: 2, shared: () => randomBytes(24).toString('hex') });
  reportComparison({ benchmark: 'driver-redis-dedicated-create' }, times.direct, times.driver, 'driver', {
    title: 'redis dedicated server create',
    directName: 'by hand',
    trailing: { deleteMedianMs: round(median(deletions)), deleteP95Ms: round(percentile(deletions, 95)) },
  });
} finally {
  await driver.close();
  rmSync(dataDir, { recursive: true, force: true });
}
