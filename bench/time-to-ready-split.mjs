// Diagnostic beside time-to-ready.mjs: where an instance's time from request to credentials goes
// (the segments: bench/ready-split.mjs), as medians over --runs requests (default 25) through
// the client's waitForCredentials, with no direct baseline in between.
//   npm run build && node bench/time-to-ready-split.mjs [redis|postgres|mysql|amqp] [--runs 25] [--env K=V[,K=V]]
import { randomBytes } from 'node:crypto';
import { createClient } from '@paved/client';
import { arg, envArg, startPaved } from './lib.mjs';
import { benchTargetsFile, requestFor } from './direct-ops.mjs';
import { createAndWait, describeSplit, splitMedians } from './ready-split.mjs';

const product = process.argv[2]?.startsWith('--') ? 'redis' : process.argv[2] ?? 'redis';
const runs = Number(arg('runs', '25'));
const paved = await startPaved({ PAVED_TARGETS_FILE: benchTargetsFile(), PAVED_EMBEDDED_POSTGRES: 'off', ...envArg('env') });
const client = createClient({ url: paved.url, token: paved.token });
const team = `s-${randomBytes(3).toString('hex')}`;
await client.createTeam({ name: team });
const timings = [];
try {
  for (let i = -1; i < runs; i++) {
    const name = `x-${i + 1}`;
    const timing = await createAndWait(client, team, requestFor(product, name));
    if (Object.keys(timing.credentials.values).length === 0) throw new Error('no credentials');
    if (i >= 0) timings.push(timing);
    await client.deleteInstance(team, name);
    await client.watchInstance(team, name, { onStatus() {} }).catch(() => {});
  }
  const medians = await splitMedians(client, team, timings);
  console.log(JSON.stringify({ benchmark: 'time-to-ready-split', product, runs, env: envArg('env'), medians }));
  console.error(`${product}: ${describeSplit(medians)}`);
} finally {
  await paved.stop();
}
