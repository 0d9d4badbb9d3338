// Time from the API request to usable credentials, per product, beside the same operations
// done directly (bench/direct-ops.mjs) in the same run against the same server, interleaved.
// Paved's time includes the driver's work, its contract checks, the engine and the API; the
// direct time includes the same statements and the same credential checks, by hand. Paved is
// measured two ways: as the client waits (waitForCredentials: the status stream reveals the
// credentials with its Ready event), and the earlier way (watch until Ready, then the reveal
// route), so the gain shows against a baseline of the same run. The split of the first way
// (bench/ready-split.mjs) is printed as well.
//
//   npm run build && node bench/time-to-ready.mjs --product postgres [--runs 30]
//   products: postgres (machine PostgreSQL), mysql (MariaDB), redis, amqp (RabbitMQ)
import { randomBytes } from 'node:crypto';
import { createClient } from '@paved/client';
import { arg, measureInterleaved, median, reportComparison, round, startPaved } from './lib.mjs';
import { benchTargetsFile, directOps, requestFor } from './direct-ops.mjs';
import { createAndWait, describeSplit, splitMedians } from './ready-split.mjs';

const product = arg('product', 'postgres');
const runs = Math.max(30, Number(arg('runs', '30')));

const paved = await startPaved({ PAVED_TARGETS_FILE: benchTargetsFile(), PAVED_EMBEDDED_POSTGRES: 'off' });
const client = createClient({ url: paved.url, token: paved.token });
const team = `bench-${randomBytes(3).toString('hex')}`;
await client.createTeam({ name: team });
const direct = await directOps(product);
const timings = [];

async function removed(name) {
  await client.deleteInstance(team, name);
  await client.watchInstance(team, name, { onStatus() {} }).catch(() => {});
}

/** Request → Ready with the credentials on the status stream, as the client waits. */
async function throughPaved(i) {
  const name = `r-${i}`;
  const timing = await createAndWait(client, team, requestFor(product, name));
  if (!timing.credentials.values.password && !timing.credentials.values.creds) throw new Error('no credential revealed');
  if (i >= 0) timings.push(timing);
  await removed(name);
  return timing.t2 - timing.t0;
}

/** The earlier way: watch until Ready, close the stream, then ask the reveal route. */
async function thenRevealRoute(i) {
  const name = `q-${i}`;
  const start = performance.now();
  await client.createInstance(team, requestFor(product, name));
  const controller = new AbortController();
  await client.watchInstance(team, name, {
    signal: controller.signal,
    onStatus(instance) {
      if (instance.status.phase === 'Ready' || instance.status.phase === 'Failed') controller.abort();
    },
  });
  const credentials = await client.revealCredentials(team, name);
  const ms = performance.now() - start;
  if (!credentials.values.password && !credentials.values.creds) throw new Error('no credential revealed');
  await removed(name);
  return ms;
}

let times;
let split;
try {
  await direct.provision('warm');
  await throughPaved(-1);
  await thenRevealRoute(-1);
  times = await measureInterleaved(runs, { direct: (i) => direct.provision(i), paved: (i) => throughPaved(i), revealRoute: (i) => thenRevealRoute(i) });
  split = await splitMedians(client, team, timings);
} finally {
  await direct.close();
  await paved.stop();
}

reportComparison({ benchmark: 'time-to-ready', product }, times.direct, times.paved, 'paved', {
  ratioDigits: 3,
  trailing: {
    targetOverheadMs: 5,
    split,
    revealRoute: { medianMs: round(median(times.revealRoute)), overheadMs: round(median(times.revealRoute) - median(times.direct)), ratio: round(median(times.revealRoute) / median(times.direct), 3) },
  },
  title: `${product} time-to-credentials`,
});
console.error(`  split: ${describeSplit(split)}`);
console.error(`  the earlier way (watch, then the reveal route): ${round(median(times.revealRoute))} ms median, ${round(median(times.revealRoute) - median(times.direct))} ms over direct`);
