// Engine throughput: how many instances one engine takes from requested to Ready per second,
// on the default SQLite store with the in-memory driver (so the figure is the engine's and the
// store's own cost, not a target's). Needs a build first (npm run bench does `tsc -b`).
//   node bench/engine-throughput.mjs [--instances 100000] [--concurrency 64] [--batch 500]
// Prints one JSON line on stdout and a one-line summary on stderr.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryDriver } from '@paved/driver-memory';
import { createEngine } from '@paved/engine';
import { externalNameFor } from '@paved/model';
import { createSecretStore, masterKeyId } from '@paved/secrets';
import { createStore } from '@paved/store';
import { arg, median, percentile } from './lib.mjs';

const instances = Number(arg('instances', '100000'));
const concurrency = Number(arg('concurrency', '64'));
const batch = Number(arg('batch', '500'));

const manifest = {
  apiVersion: 'paved.dev/v1alpha1',
  kind: 'Product',
  metadata: { name: 'kv', title: 'Benchmark resource', owner: 'platform', lifecycle: 'ga' },
  spec: {
    version: '1.0.0',
    description: 'An in-memory resource for the engine benchmark.',
    driver: 'memory',
    inputs: { type: 'object', properties: { size: { type: 'integer', default: 1 } }, additionalProperties: false },
    plans: { small: { default: true, values: { tier: 'small' } } },
    outputs: { name: {}, token: { secret: true } },
  },
};

const dir = mkdtempSync(join(tmpdir(), 'paved-bench-engine-'));
const store = await createStore({ url: join(dir, 'paved.db') });
try {
  await store.migrate();
  const key = randomBytes(32);
  const secrets = createSecretStore({ store, masterKey: { key, id: masterKeyId(key) } });
  const driver = createMemoryDriver();
  const team = await store.createTeam({ name: 'bench', title: 'Benchmark team' });
  const user = await store.createUser({ name: 'bench', admin: false });
  const digest = createHash('sha256').update(JSON.stringify(manifest)).digest('hex');
  await store.publishProductVersion({ name: 'kv', version: '1.0.0', manifest, digest });

  // Insert in concurrent batches: the store serialises them on SQLite, but the batch keeps
  // the event loop busy instead of paying one round trip of latency per row.
  const insertStart = performance.now();
  for (let i = 0; i < instances; i += batch) {
    const size = Math.min(batch, instances - i);
    await Promise.all(
      Array.from({ length: size }, (_, j) => {
        const id = randomUUID();
        const name = `i${i + j}`;
        return store.createInstance({
          id, teamId: team.id, name, product: 'kv', productVersion: '1.0.0', plan: 'small', inputs: {},
          externalName: externalNameFor(team.name, name, id), target: 'mem', createdBy: user.id,
        });
      }),
    );
  }
  const insertSeconds = (performance.now() - insertStart) / 1000;

  // The first page of 50 of the team's `instances` (the API's list, through the store), timed.
  const pageMs = [];
  for (let i = 0; i < 220; i++) {
    const t = performance.now();
    await store.listInstances({ teamIds: [team.id], limit: 51 });
    if (i >= 20) pageMs.push(performance.now() - t);
  }

  const engine = createEngine({
    store, secrets, drivers: { memory: driver }, targets: [{ name: 'mem', driver: 'memory', labels: {}, config: {} }],
    concurrency, leaseMs: 60_000, driftIntervalMs: 3_600_000,
  });
  const start = performance.now();
  let passes = 0;
  for (let ran = await engine.runOnce(); ran > 0; ran = await engine.runOnce()) passes += ran;
  const seconds = (performance.now() - start) / 1000;

  const created = driver.resources().size;
  if (created !== instances || passes !== instances) {
    throw new Error(`expected ${instances} resources from ${instances} passes, got ${created} resources from ${passes} passes`);
  }
  const result = {
    bench: 'engine-throughput',
    instances,
    concurrency,
    seconds: Number(seconds.toFixed(2)),
    reconcilesPerSecond: Math.round(instances / seconds),
    insertSeconds: Number(insertSeconds.toFixed(2)),
    firstPage: { medianMs: Number(median(pageMs).toFixed(2)), p99Ms: Number(percentile(pageMs, 99).toFixed(2)) },
  };
  console.log(JSON.stringify(result));
  console.error(`engine-throughput: ${instances} instances Ready in ${result.seconds} s with one engine on SQLite = ${result.reconcilesPerSecond} reconciles/s (inserting them took ${result.insertSeconds} s; `
    + `the first page of 50 of them: median ${result.firstPage.medianMs} ms, p99 ${result.firstPage.p99Ms} ms)`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
