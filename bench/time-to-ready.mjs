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
// Redis's default plan is a dedicated server; the direct operations make an ACL user with a key
// prefix on the shared server, which is plan small.
const plan = product === 'redis' ? 'small' : undefined;

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

/**
 * Request → Ready → credentials, the way the client and the CLI wait: the status stream asked to
 * reveal the credentials with its Ready event (`waitForCredentials`), no request after Ready.
 */
async function throughPaved(i) {
  const name = `r-${i}`;
  const start = performance.now();
  await client.createInstance(team, { name, product, ...(plan ? { plan } : {}) });
  const { credentials } = await client.waitForCredentials(team, name);
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
