// Time from the API request to usable credentials, per product, beside the same operations
// done directly (bench/direct-ops.mjs) in the same run against the same server, interleaved.
// Paved's time includes the driver's work, its contract checks, the engine and the API; the
// direct time includes the same statements and the same credential checks, by hand.
//
//   npm run build && node bench/time-to-ready.mjs --product postgres [--runs 30]
//   products: postgres (machine PostgreSQL), mysql (MariaDB), redis, amqp (RabbitMQ)
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@paved/client';
import { arg, measureInterleaved, reportComparison, startPaved } from './lib.mjs';
import { directOps, TARGETS } from './direct-ops.mjs';

const product = arg('product', 'postgres');
const runs = Math.max(30, Number(arg('runs', '30')));

const targetsYaml = [
  ['postgres', 'postgres', { url: TARGETS.postgres, closeServerDatabases: false }], // the machine's shared server
  ['mysql', 'mysql', { url: TARGETS.mysql }],
  ['redis', 'redis', { url: TARGETS.redis }],
  ['rabbitmq', 'rabbitmq', { managementUrl: TARGETS.rabbitmqManagement, amqpUrl: TARGETS.amqp }],
]
  .map(([name, driver, config]) => `apiVersion: paved.dev/v1alpha1\nkind: Target\nmetadata: { name: bench-${name} }\nspec: { driver: ${driver}, config: ${JSON.stringify(config)} }\n`)
  .join('---\n');
const targetsFile = join((await import('node:os')).tmpdir(), `paved-bench-targets-${process.pid}.yaml`);
writeFileSync(targetsFile, targetsYaml);

const paved = await startPaved({ PAVED_TARGETS_FILE: targetsFile, PAVED_EMBEDDED_POSTGRES: 'off' });
const client = createClient({ url: paved.url, token: paved.token });
const team = `bench-${randomBytes(3).toString('hex')}`;
await client.createTeam({ name: team });
const direct = await directOps(product);

/** Request → Ready (pushed over the status stream) → credentials revealed. */
async function throughPaved(i) {
  const name = `r-${i}`;
  const start = performance.now();
  await client.createInstance(team, { name, product });
  const controller = new AbortController();
  let failure;
  await client.watchInstance(team, name, {
    signal: controller.signal,
    onStatus(instance) {
      if (instance.status.phase === 'Ready') controller.abort();
      if (instance.status.phase === 'Failed') {
        failure = instance.status.conditions.map((c) => c.message).join('; ');
        controller.abort();
      }
    },
  });
  if (failure) throw new Error(`${name} failed: ${failure}`);
  const credentials = await client.revealCredentials(team, name);
  const ms = performance.now() - start;
  if (!credentials.values.password && !credentials.values.creds) throw new Error('no credential revealed');
  await client.deleteInstance(team, name);
  await client.watchInstance(team, name, { onStatus() {} }).catch(() => {});
  return ms;
}

let times;
try {
  await direct.provision('warm');
  await throughPaved(1000);
  times = await measureInterleaved(runs, { direct: (i) => direct.provision(i), paved: (i) => throughPaved(i) });
} finally {
  await direct.close();
  await paved.stop();
}

reportComparison({ benchmark: 'time-to-ready', product }, times.direct, times.paved, 'paved', {
  ratioDigits: 3,
  trailing: { targetOverheadMs: 5 },
  title: `${product} time-to-credentials`,
});
