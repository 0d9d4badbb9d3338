// Benchmark 1: time from the API request to usable credentials for a `postgres` instance,
// beside the same CREATE ROLE + CREATE DATABASE + REVOKE done directly with `pg`, interleaved
// in the same run against the same server. Reports medians and Paved's overhead.
//
//   npm run build && node bench/provision-latency.mjs [--runs 30]
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { createClient } from '@paved/client';
import { arg, MACHINE_PG, median, percentile, round, startPaved } from './lib.mjs';

const runs = Number(arg('runs', '30'));
const paved = await startPaved({ PAVED_POSTGRES_URL: MACHINE_PG });
const client = createClient({ url: paved.url, token: paved.token });
const team = `bench-${randomBytes(3).toString('hex')}`;
await client.createTeam({ name: team });
const admin = new pg.Client({ connectionString: MACHINE_PG });
await admin.connect();

/** The direct operations a provisioner would run by hand. */
async function direct(i) {
  const name = `bench_direct_${process.pid}_${i}`;
  const password = randomBytes(32).toString('hex');
  const start = performance.now();
  await admin.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${password}' CONNECTION LIMIT 20`);
  await admin.query(`CREATE DATABASE "${name}" OWNER "${name}"`);
  await admin.query(`REVOKE ALL ON DATABASE "${name}" FROM PUBLIC`);
  const ms = performance.now() - start;
  await admin.query(`DROP DATABASE "${name}"`);
  await admin.query(`DROP ROLE "${name}"`);
  return ms;
}

/** Request → Ready (pushed over the status stream) → credentials revealed. */
async function throughPaved(i) {
  const name = `db-${i}`;
  const start = performance.now();
  await client.createInstance(team, { name, product: 'postgres' });
  const controller = new AbortController();
  await client.watchInstance(team, name, {
    signal: controller.signal,
    onStatus(instance) {
      if (instance.status.phase === 'Ready') controller.abort();
      if (instance.status.phase === 'Failed') throw new Error(instance.status.conditions.map((c) => c.message).join('; '));
    },
  });
  const credentials = await client.revealCredentials(team, name);
  const ms = performance.now() - start;
  if (!credentials.values.password) throw new Error('no password revealed');
  await client.deleteInstance(team, name);
  await client.watchInstance(team, name, { onStatus() {} });
  return ms;
}

const directMs = [];
const pavedMs = [];
await direct(-1); // warm-up both paths once
await throughPaved(-1);
for (let i = 0; i < runs; i++) {
  directMs.push(await direct(i));
  pavedMs.push(await throughPaved(i));
}
await admin.end();
await paved.stop();

const result = {
  benchmark: 'provision-latency',
  runs,
  direct: { medianMs: round(median(directMs)), p95Ms: round(percentile(directMs, 95)) },
  paved: { medianMs: round(median(pavedMs)), p95Ms: round(percentile(pavedMs, 95)) },
  overheadMs: round(median(pavedMs) - median(directMs)),
  ratio: round(median(pavedMs) / median(directMs), 3),
  targetOverheadMs: 5,
};
console.log(JSON.stringify(result));
console.error(
  `postgres time-to-credentials: Paved ${result.paved.medianMs} ms vs direct ${result.direct.medianMs} ms (median of ${runs}); ` +
    `overhead ${result.overheadMs} ms, ratio ${result.ratio}`,
);
