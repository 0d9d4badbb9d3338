// Timing of the webhook driver's create against a synchronous automation on loopback, next to
// the same signed POST done by hand with fetch (the floor: HMAC + HTTP round trip). Interleaved
// so both see the same machine load. Run after `npx tsc -b`: node bench/driver-webhook.mjs [--runs 50]
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createWebhookDriver, verifySignature } from '@paved/driver-webhook';
import { arg, median, percentile } from './lib.mjs';

const runs = Number(arg('runs', '50'));
const secret = randomBytes(32).toString('hex');
const resources = new Map();

// A minimal synchronous automation: verify, create-if-absent, answer with outputs.
const server = createServer((req, res) => {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    if (!verifySignature(req.headers['paved-signature'], raw, secret).ok) return res.writeHead(401).end('{}');
    const body = JSON.parse(raw);
    const name = body.instance.externalName;
    if (body.verb === 'delete') resources.delete(name);
    else if (body.verb === 'create') resources.set(name, body.secrets.password);
    const outputs = { host: 'automation.local', port: '7000', name, username: name, password: body.secrets.password };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body.verb === 'create' ? { outputs } : body.verb === 'observe' ? { exists: resources.has(name) } : {}));
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/paved`;
const target = { name: 'bench', driver: 'webhook', labels: {}, config: { url, secret } };
const driver = createWebhookDriver();
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const ctxFor = (externalName, password) => ({
  instance: { id: randomUUID(), team: 'bench', name: externalName.replace(/_/g, '-'), externalName, product: 'bench', plan: 'default', values: {} },
  target, secrets: { password }, signal: new AbortController().signal, logger: silent,
});

async function direct(externalName, password) {
  const raw = JSON.stringify({ apiVersion: 'paved.dev/v1alpha1', verb: 'create', deliveryId: randomUUID(), instance: { externalName, values: {} }, secrets: { password } });
  const t = Math.floor(Date.now() / 1000);
  const signature = `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex')}`;
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'paved-signature': signature }, body: raw });
  if (response.status !== 200) throw new Error(`direct create answered ${response.status}`);
  await response.json();
}

const times = { direct: [], driver: [] };
// Warm up the connection pool and JIT on both paths.
for (let i = 0; i < 5; i++) {
  await direct(`pv_bench_warm_${i}`, 'x'.repeat(48));
  await driver.create(ctxFor(`pv_bench_warmd_${i}`, 'x'.repeat(48)));
}
for (let i = 0; i < runs; i++) {
  const password = randomBytes(24).toString('hex');
  const order = i % 2 === 0 ? ['direct', 'driver'] : ['driver', 'direct'];
  for (const kind of order) {
    const name = `pv_bench_${kind}_${randomBytes(4).toString('hex')}`;
    const started = performance.now();
    if (kind === 'direct') await direct(name, password);
    else await driver.create(ctxFor(name, password));
    times[kind].push(performance.now() - started);
    if (kind === 'driver') await driver.deletion[0].run(ctxFor(name, password));
    else resources.delete(name);
  }
}
server.close();

const round = (n) => Math.round(n * 1000) / 1000;
const stats = (values) => ({ medianMs: round(median(values)), p95Ms: round(percentile(values, 95)) });
const result = { benchmark: 'driver-webhook create (sync automation, loopback)', runs, direct: stats(times.direct), driver: stats(times.driver) };
result.overheadMs = round(result.driver.medianMs - result.direct.medianMs);
result.ratio = round(result.driver.medianMs / result.direct.medianMs);
console.log(JSON.stringify(result));
console.error(`webhook create: driver ${result.driver.medianMs} ms median (p95 ${result.driver.p95Ms}) vs direct ${result.direct.medianMs} ms (p95 ${result.direct.p95Ms}): +${result.overheadMs} ms, x${result.ratio}`);
