// Round trips and transactions a request makes on the PostgreSQL store: the load-independent
// measure of §1's PostgreSQL path. Starts `paved up` (and the baseline's, with --baseline) on a
// fresh database each, with bench/count-pg-queries.cjs preloaded; after a warm-up, makes
// --requests redis requests one at a time (create, wait for the credentials on the stream,
// as the client does; then delete it and let the engine's pass run, counted apart), and prints the server's
// pg queries per request: statements, round trips (the statements less those written behind an
// unanswered one), commits (a COMMIT, or a write outside a transaction: each waits for a WAL
// flush), transactions, and by statement (with --by-statement).
//
//   npm run build && node bench/pg-round-trips.mjs [--requests 20] [--baseline /work/base] [--by-statement]
//     [--way one-request|two-requests] [--baseline-way two-requests|one-request]
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createClient } from '@paved/client';
import { arg, freshDatabase, startPaved, tempFolder } from './lib.mjs';
import { benchTargetsFile, requestFor } from './direct-ops.mjs';
import { createAndWait } from './ready-split.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const requests = Number(arg('requests', '20'));
const byStatement = process.argv.includes('--by-statement');
const baselineRoot = arg('baseline');
// Each side creates and waits as time-to-ready.mjs has it (ready-split.mjs createAndWait): this
// build in one request, the baseline (a build before the create's stream) in two; `--way`, `--baseline-way`.
const sides = [
  { name: 'this build', root: resolve(here, '..'), way: arg('way', 'one-request') },
  ...(baselineRoot ? [{ name: 'baseline', root: resolve(baselineRoot), way: arg('baseline-way', 'two-requests') }] : []),
];

const settle = () => new Promise((r) => setTimeout(r, 300));
async function tally(server, file) {
  await settle(); // the engine's follow-up work (the loop's claim after the pass) is part of the request
  process.kill(server.pid, 'SIGUSR2');
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 20));
    try { const t = JSON.parse(readFileSync(file, 'utf8')); return t; } catch { /* not written yet */ }
  }
  throw new Error('no tally from the server');
}
const COMMITS = '(commits)';
const PIPELINED = '(pipelined)';
const UNFLUSHED = '(commits not waiting for the flush)';
const sum = (t) => Object.entries(t).reduce((a, [k, n]) => (k === COMMITS || k === PIPELINED || k === UNFLUSHED ? a : a + n), 0);
/** Statements that waited for their own answer: those written behind an unanswered one (pg's pipeline mode) share its wait. */
const waits = (t) => sum(t) - (t[PIPELINED] ?? 0);
const commits = (t) => t[COMMITS] ?? 0;
/** Commits that waited for the WAL flush (count-pg-queries.cjs: the others set synchronous_commit off for themselves). */
const flushes = (t) => commits(t) - (t[UNFLUSHED] ?? 0);
const transactions = (t) => Object.entries(t).filter(([k]) => /^begin\b/i.test(k)).reduce((a, [, n]) => a + n, 0);

for (const side of sides) {
  const database = await freshDatabase('paved_bench_rt');
  const dir = tempFolder('paved-rt-');
  const file = join(dir, 'count.json');
  const server = await startPaved({
    PAVED_TARGETS_FILE: benchTargetsFile(), PAVED_EMBEDDED_POSTGRES: 'off', PAVED_DATABASE_URL: database.url,
    PAVED_COUNT_PG_FILE: file, PAVED_COUNT_PG_SEQUENCE: process.env.PAVED_COUNT_PG_SEQUENCE ?? '', PAVED_COUNT_PG_ROOT: side.root,
  }, { nodeArgs: ['--require', join(here, 'count-pg-queries.cjs')], cli: join(side.root, 'packages/cli/dist/main.js') });
  try {
    const client = createClient({ url: server.url, token: server.token });
    const team = `rt-${randomBytes(3).toString('hex')}`;
    await client.createTeam({ name: team });
    const one = async (i, count) => {
      const request = requestFor('redis', `rt${i}-${randomBytes(2).toString('hex')}`);
      const { unlinkSync } = await import('node:fs');
      try { unlinkSync(file); } catch {}
      await createAndWait(client, team, request, side.way);
      const create = await tally(server, file);
      if (process.env.PAVED_COUNT_PG_SEQUENCE) console.log(readFileSync(`${file}.sequence`, 'utf8'));
      try { unlinkSync(file); } catch {}
      await client.deleteInstance(team, request.name);
      const del = await tally(server, file);
      if (count) return { create, del };
    };
    for (let i = 0; i < 3; i++) await one(`w${i}`, false);
    const all = [];
    for (let i = 0; i < requests; i++) all.push(await one(i, true));
    const per = (pick) => (all.reduce((a, r) => a + pick(r), 0) / all.length).toFixed(1);
    console.log(`${side.name}: a create → credentials ${per((r) => sum(r.create))} statements, ${per((r) => waits(r.create))} round trips, ${per((r) => commits(r.create))} commits (${per((r) => transactions(r.create))} BEGIN…COMMIT; ${per((r) => flushes(r.create))} waiting for the WAL flush); a delete and its pass ${per((r) => sum(r.del))} statements, ${per((r) => waits(r.del))} round trips, ${per((r) => commits(r.del))} commits (${per((r) => transactions(r.del))}; ${per((r) => flushes(r.del))} waiting for the flush)`);
    if (byStatement) {
      const merged = {};
      for (const r of all) for (const [k, n] of Object.entries(r.create)) merged[k] = (merged[k] ?? 0) + n;
      for (const [k, n] of Object.entries(merged).sort((a, b) => b[1] - a[1])) console.log(`  ${(n / all.length).toFixed(2).padStart(6)}  ${k}`);
    }
  } finally {
    await server.stop();
    await database.drop();
  }
}
