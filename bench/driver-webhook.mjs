// Timing of the webhook driver's create against a synchronous automation on loopback, next to
// the same signed POST done by hand with fetch (the floor: HMAC + HTTP round trip). Interleaved
// so both see the same machine load. Run after `npx tsc -b`: node bench/driver-webhook.mjs [--runs 50]
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createWebhookDriver, verifySignature } from '@paved/driver-webhook';
import { arg, measureInterleaved, reportComparison } from './lib.mjs';

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

// Warm up the connection pool and JIT on both paths.
for (let i = 0; i < 5; i++) {
  await direct(`pv_bench_warm_${i}`, 'x'.repeat(48));
  await driver.create(ctxFor(`pv_bench_warmd_${i}`, 'x'.repeat(48)));
}
const name = (kind) => `pv_bench_${kind}_${randomBytes(4).toString('hex')}`;
const times = await measureInterleaved(
  runs,
  {
    direct: async (i, password) => {
      const externalName = name('direct');
      const started = performance.now();
      await direct(externalName, password);
      const ms = performance.now() - started;
      resources.delete(externalName);
      return ms;
    },
    driver: async (i, password) => {
      const externalName = name('driver');
      const started = performance.now();
      await driver.create(ctxFor(externalName, password));
      const ms = performance.now() - started;
      await driver.deletion[0].run(ctxFor(externalName, password));
      return ms;
    },
  },
  { shared: () => randomBytes(24).toString('hex') },
);
server.close();

reportComparison({ benchmark: 'driver-webhook create (sync automation, loopback)' }, times.direct, times.driver, 'driver', { digits: 3, ratioDigits: 3, title: 'webhook create' });
