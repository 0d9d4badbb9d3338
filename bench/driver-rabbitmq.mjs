// Driver micro-benchmark: the rabbitmq driver's create (through the management HTTP API) beside
// the same objects made directly with fetch (PUT vhost, PUT user with password_hash, PUT
// permissions), interleaved in one run against the machine's broker. Same secrets both ways.
// The driver does three more reads (user, vhost limits, vhost permissions) to stay idempotent.
//
//   npx tsc -b packages/drivers/rabbitmq && node bench/driver-rabbitmq.mjs [--runs 30]
// Needs the management plugin (scripts/ensure-services.sh enables it).
import { randomBytes } from 'node:crypto';
import { createRabbitmqDriver, rabbitPasswordHash } from '@paved/driver-rabbitmq';
import { arg, measureInterleaved, reportComparison } from './lib.mjs';

const runs = Math.max(30, Number(arg('runs', '30')));
const managementUrl = process.env.PAVED_BENCH_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
const parsed = new URL(managementUrl);
const base = `${parsed.protocol}//${parsed.host}`;
const authorization = `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
const target = { name: 'bench', driver: 'rabbitmq', labels: {}, config: { managementUrl, amqpUrl: 'amqp://127.0.0.1:5672' } };
const driver = createRabbitmqDriver();
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const ctxFor = (name, password) => ({
  instance: { id: name, team: 'bench', name, externalName: name, product: 'amqp', plan: 'small', values: {}, rotation: 0 },
  target,
  secrets: { password },
  signal: new AbortController().signal,
  logger: silent,
});

async function call(method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  if (!response.ok && response.status !== 404) throw new Error(`${method} ${path}: HTTP ${response.status}`);
}

async function direct(name, password) {
  const start = performance.now();
  await call('PUT', `/api/vhosts/${name}`, { description: 'bench' });
  await call('PUT', `/api/users/${name}`, { password_hash: rabbitPasswordHash(password), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: '' });
  await call('PUT', `/api/permissions/${name}/${name}`, { configure: '.*', write: '.*', read: '.*' });
  const ms = performance.now() - start;
  await call('DELETE', `/api/users/${name}`);
  await call('DELETE', `/api/vhosts/${name}`);
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

const name = (kind, i) => `pv_bench_${kind}_${i}_${randomBytes(3).toString('hex')}`;
try {
  await throughDriver(name('warm', 0), randomBytes(24).toString('hex'));
  await direct(name('warm', 1), randomBytes(24).toString('hex'));
  const times = await measureInterleaved(
    runs,
    {
      direct: (i, password) => direct(name('d', i), password),
      driver: (i, password) => throughDriver(name('p', i), password),
    },
    { shared: () => randomBytes(24).toString('hex') },
  );
  reportComparison({ benchmark: 'driver-rabbitmq-create' }, times.direct, times.driver, 'driver', { digits: 3, title: 'rabbitmq create' });
} finally {
  await driver.close();
}
