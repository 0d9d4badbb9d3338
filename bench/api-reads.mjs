// Benchmark 2: API reads under load with autocannon, 32 connections: get one instance, and
// list a team's instances (first page of 50, from a team with 100: the secret product's quota). `secret` instances are
// used so the reads measure Paved, not a target.
//
//   npm run build && node bench/api-reads.mjs [--seconds 10] [--rate-limit 0 (off)]
import autocannon from 'autocannon';
import { createClient } from '@paved/client';
import { arg, round, startPaved } from './lib.mjs';

const seconds = Number(arg('seconds', '10'));
// Every request is counted against the token as in production, with an allowance the load cannot use up.
const paved = await startPaved({ PAVED_EMBEDDED_POSTGRES: 'off', PAVED_RATE_LIMIT: arg('rate-limit', '10000000') });
const client = createClient({ url: paved.url, token: paved.token });
await client.createTeam({ name: 'readers' });
for (let i = 0; i < 100; i += 20) {
  await Promise.all(Array.from({ length: 20 }, (_, j) => client.createInstance('readers', { name: `key-${i + j}`, product: 'secret' })));
}

async function load(title, path) {
  const result = await autocannon({
    url: `${paved.url}${path}`,
    connections: 32,
    duration: seconds,
    headers: { authorization: `Bearer ${paved.token}` },
  });
  if (result.non2xx > 0) throw new Error(`${title}: ${result.non2xx} non-2xx responses`);
  return { title, requestsPerSecond: round(result.requests.average, 0), p50Ms: result.latency.p50, p99Ms: result.latency.p99, errors: result.errors };
}

const results = [
  await load('get one instance', '/api/v1/teams/readers/instances/key-7'),
  await load('list a team\'s instances (50 of 100)', '/api/v1/teams/readers/instances?limit=50'),
];
await paved.stop();
console.log(JSON.stringify({ benchmark: 'api-reads', connections: 32, seconds, results }));
for (const r of results) console.error(`${r.title}: ${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`);
