// Diagnostic beside time-to-ready.mjs: where a redis (or postgres) instance's time goes, as
// medians over 25 requests of: post = the POST create round trip; toReady = request → Ready
// seen on the status stream; reveal = the credentials reveal round trip; total; engine = the
// engine's own time-to-ready (the instance.ready event's timeToReadyMs, from the row's creation).
//   npm run build && node bench/time-to-ready-split.mjs [redis|postgres]
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@paved/client';
import { startPaved, median } from './lib.mjs';
const product = process.argv[2] ?? 'redis';
const targetsFile = join(tmpdir(), `paved-split-targets-${process.pid}.yaml`);
writeFileSync(targetsFile, `apiVersion: paved.dev/v1alpha1\nkind: Target\nmetadata: { name: r }\nspec: { driver: redis, config: { url: "redis://127.0.0.1:6379" } }\n---\napiVersion: paved.dev/v1alpha1\nkind: Target\nmetadata: { name: p }\nspec: { driver: postgres, config: { url: "postgres://postgres@127.0.0.1:5432/postgres", closeServerDatabases: false } }\n`);
const paved = await startPaved({ PAVED_TARGETS_FILE: targetsFile, PAVED_EMBEDDED_POSTGRES: 'off' });
const client = createClient({ url: paved.url, token: paved.token });
const team = `s-${randomBytes(3).toString('hex')}`;
await client.createTeam({ name: team });
const rows = [];
for (let i = 0; i < 25; i++) {
  const name = `x-${i}`;
  const t0 = performance.now();
  await client.createInstance(team, { name, product });
  const t1 = performance.now();
  const c = new AbortController();
  let tReady;
  await client.watchInstance(team, name, { signal: c.signal, onStatus(x) { if (x.status.phase === 'Ready') { tReady = performance.now(); c.abort(); } } });
  await client.revealCredentials(team, name);
  const t3 = performance.now();
  const events = (await client.listEvents(team, { limit: 100 })).items.filter((e) => e.instanceId && e.kind === 'instance.ready');
  const ev = events[events.length - 1];
  rows.push({ post: t1 - t0, toReady: tReady - t0, reveal: t3 - tReady, total: t3 - t0, engine: ev?.data?.timeToReadyMs });
  await client.deleteInstance(team, name);
  await client.watchInstance(team, name, { onStatus() {} }).catch(() => {});
}
for (const k of ['post', 'toReady', 'reveal', 'total', 'engine']) console.log(k, median(rows.map((r) => r[k])).toFixed(2));
await paved.stop();
