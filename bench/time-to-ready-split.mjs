// Diagnostic beside time-to-ready.mjs: where an instance's time from request to credentials goes,
// as medians over --runs requests (default 25) through the client's waitForCredentials (the
// status stream reveals the credentials with its Ready event). Segments, which add up to total:
//   api      the request until its row is inserted (authentication, validation, policies, quota, insert)
//   queued   the row inserted until the engine claims it (instance.ready's queuedMs)
//   pass     the claim until Ready is recorded (timeToReadyMs − queuedMs), of which
//   checks   the contract checks with the issued credentials (instance.ready's checksMs)
//   reveal   Ready recorded until the credentials are in the client's hands (the stream's reveal and push)
// and, beside them, post = the create's round trip. Server and client share the machine's clock;
// createdAt has millisecond precision, so api and reveal are ±0.5 ms each.
//   npm run build && node bench/time-to-ready-split.mjs [redis|postgres|mysql|amqp] [--runs 25]
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@paved/client';
import { arg, startPaved, median } from './lib.mjs';
import { TARGETS } from './direct-ops.mjs';

const product = process.argv[2]?.startsWith('--') ? 'redis' : process.argv[2] ?? 'redis';
const runs = Number(arg('runs', '25'));
const targetsFile = join(tmpdir(), `paved-split-targets-${process.pid}.yaml`);
writeFileSync(targetsFile, [
  ['redis', { url: TARGETS.redis }],
  ['postgres', { url: TARGETS.postgres, closeServerDatabases: false }],
  ['mysql', { url: TARGETS.mysql }],
  ['rabbitmq', { managementUrl: TARGETS.rabbitmqManagement, amqpUrl: TARGETS.amqp }],
].map(([driver, config]) => `apiVersion: paved.dev/v1alpha1\nkind: Target\nmetadata: { name: ${driver} }\nspec: { driver: ${driver}, config: ${JSON.stringify(config)} }\n`).join('---\n'));
const paved = await startPaved({ PAVED_TARGETS_FILE: targetsFile, PAVED_EMBEDDED_POSTGRES: 'off' });
const client = createClient({ url: paved.url, token: paved.token });
const team = `s-${randomBytes(3).toString('hex')}`;
await client.createTeam({ name: team });
const wallNow = () => performance.timeOrigin + performance.now();
const rows = [];
try {
  for (let i = -1; i < runs; i++) {
    const name = `x-${i + 1}`;
    const t0 = wallNow();
    const created = await client.createInstance(team, { name, product, ...(product === 'redis' ? { plan: 'small' } : {}) });
    const t1 = wallNow();
    const { credentials } = await client.waitForCredentials(team, name);
    const t2 = wallNow();
    if (Object.keys(credentials.values).length === 0) throw new Error('no credentials');
    if (i >= 0) rows.push({ id: created.id, createdAt: Date.parse(created.createdAt), t0, t1, t2 });
    await client.deleteInstance(team, name);
    await client.watchInstance(team, name, { onStatus() {} }).catch(() => {});
  }
  const ready = new Map();
  for (let cursor; ;) {
    const page = await client.listEvents(team, { limit: 100, cursor });
    for (const e of page.items) if (e.kind === 'instance.ready') ready.set(e.instanceId, e.data);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  const split = rows.map((r) => {
    const e = ready.get(r.id);
    return {
      total: r.t2 - r.t0, post: r.t1 - r.t0, api: r.createdAt - r.t0, queued: e.queuedMs, pass: e.timeToReadyMs - e.queuedMs, checks: e.checksMs,
      reveal: r.t2 - (r.createdAt + e.timeToReadyMs),
    };
  });
  const medians = Object.fromEntries(Object.keys(split[0]).map((k) => [k, Number(median(split.map((s) => s[k])).toFixed(2))]));
  console.log(JSON.stringify({ benchmark: 'time-to-ready-split', product, runs, medians }));
  console.error(`${product}: total ${medians.total} ms = api ${medians.api} + queued ${medians.queued} + pass ${medians.pass} (checks ${medians.checks}) + reveal ${medians.reveal}; post round trip ${medians.post}`);
} finally {
  await paved.stop();
}
