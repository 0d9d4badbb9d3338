// The reads a create makes before its transaction on the PostgreSQL store, timed alone (round 19):
// the way the server read them before (the product's latest version, then the usage and the policy
// versions at once, on two pool connections) against Store.readForGate (the three on one connection,
// pipelined). One store on a fresh database, the two ways in alternating blocks after a warm-up;
// medians of each way's reads. `--aa`: the old way against itself (the noise).
//
//   npm run build && node bench/gate-reads.mjs [--blocks 40] [--per 25] [--aa]
import { performance } from 'node:perf_hooks';
import { createStore } from '@paved/store';
import { arg, freshDatabase } from './lib.mjs';

const blocks = Number(arg('blocks', '40'));
const per = Number(arg('per', '25'));
const aa = process.argv.includes('--aa');
const database = await freshDatabase('paved_bench_gate');
const store = await createStore({ url: database.url });
try {
  await store.migrate();
  const team = await store.createTeam({ name: 'gate-bench', title: 'Gate bench' });
  const usage = { teamId: team.id, product: 'redis', plan: 'small' };
  const before = async () => {
    await store.latestProductVersion(usage.product);
    await Promise.all([store.instanceUsage(usage), store.listPolicyVersions()]);
  };
  const together = () => store.readForGate({ usage, latestVersion: true });
  const ways = aa ? { a: before, b: before } : { a: before, b: together };
  const times = { a: [], b: [] };
  const block = async (way, keep) => {
    for (let i = 0; i < per; i++) {
      const start = performance.now();
      await ways[way]();
      if (keep) times[way].push(performance.now() - start);
    }
  };
  for (let i = 0; i < 4; i++) { await block('a', false); await block('b', false); }
  for (let i = 0; i < blocks; i++) {
    // Each way first in half the blocks.
    const order = i % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
    for (const way of order) await block(way, true);
  }
  const at = (xs, q) => { const s = [...xs].sort((x, y) => x - y); return +s[Math.floor(s.length * q)].toFixed(3); };
  const quartiles = (xs) => [at(xs, 0.25), at(xs, 0.5), at(xs, 0.75)];
  const [a, b] = [at(times.a, 0.5), at(times.b, 0.5)];
  console.log(JSON.stringify({ benchmark: 'gate-reads', aa, reads: times.a.length, beforeMs: quartiles(times.a), [aa ? 'beforeAgainMs' : 'togetherMs']: quartiles(times.b), ratio: +(b / a).toFixed(3) }));
} finally {
  await store.close();
  await database.drop();
}
