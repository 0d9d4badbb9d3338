// Micro-benchmark: the mysql driver's create beside the same statements done directly with
// mysql2 (CREATE DATABASE, CREATE USER … IDENTIFIED BY PASSWORD '<hash>', escaped GRANT), with
// the same password, interleaved in one run against the machine's MariaDB. Prints one JSON line
// on stdout and a one-line summary on stderr.
//
//   npx tsc -b packages/drivers/mysql && node bench/driver-mysql.mjs [--runs 40] [--url mysql://root:@127.0.0.1:3306/]
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { silentLogger } from '@paved/driver-api';
import { createMysqlDriver, grantPattern, nativePasswordHash } from '@paved/driver-mysql';
import { arg, measureInterleaved, reportComparison } from './lib.mjs';

const runs = Math.max(30, Number(arg('runs', '40')));
const url = arg('url', process.env.PAVED_BENCH_MYSQL_URL ?? 'mysql://root:@127.0.0.1:3306/');
const parsed = new URL(url);
const admin = await mysql.createConnection({
  host: parsed.hostname,
  port: Number(parsed.port || 3306),
  user: decodeURIComponent(parsed.username) || 'root',
  password: decodeURIComponent(parsed.password),
});
const target = { name: 'bench', driver: 'mysql', labels: {}, config: { url } };
const driver = createMysqlDriver();

function context(externalName, password) {
  return {
    instance: { id: externalName, team: 'bench', name: 'db', externalName, product: 'mysql', plan: 'small', values: { connectionLimit: 20 } },
    target,
    secrets: { password },
    signal: new AbortController().signal,
    logger: silentLogger,
  };
}

/** The three statements a provisioner would run by hand, on an open admin connection. */
async function direct(name, password) {
  const start = performance.now();
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.query(`CREATE USER '${name}'@'%' IDENTIFIED BY PASSWORD '${nativePasswordHash(password)}' WITH MAX_USER_CONNECTIONS 20`);
  await admin.query(`GRANT ALL PRIVILEGES ON \`${grantPattern(name)}\`.* TO '${name}'@'%'`);
  const ms = performance.now() - start;
  await admin.query(`DROP USER '${name}'@'%'`);
  await admin.query(`DROP DATABASE \`${name}\``);
  return ms;
}

async function throughDriver(name, password) {
  const ctx = context(name, password);
  const start = performance.now();
  await driver.create(ctx);
  const ms = performance.now() - start;
  for (const step of driver.deletion) await step.run(ctx);
  return ms;
}

const tag = randomBytes(3).toString('hex');
// Warm-up (not measured): opens the driver's admin pool and primes the server's caches.
await throughDriver(`pv_bench_${tag}_warm`, randomBytes(24).toString('hex'));
await direct(`pv_bench_${tag}_warmd`, randomBytes(24).toString('hex'));

const times = await measureInterleaved(
  runs,
  {
    direct: (i, password) => direct(`pv_bench_${tag}_d${i}`, password),
    driver: (i, password) => throughDriver(`pv_bench_${tag}_p${i}`, password),
  },
  { shared: () => randomBytes(24).toString('hex') },
);
await driver.close();
await admin.end();

reportComparison({ benchmark: 'driver-mysql-create' }, times.direct, times.driver, 'driver', { title: 'mysql create' });
