// The first create after a start: each round starts a fresh `paved up` of each build (its own data
// folder, SQLite, or a fresh PostgreSQL database with `--store postgres`), times its start from the
// spawn to the first answered /readyz (polled every 5 ms), reads its RSS idle after that, then makes
// the server's very first create and a second one, each request → credentials in one request
// (createAndWaitForCredentials), and records the phase each create answered with (Pending, or
// Provisioning when its intent was recorded by its own transaction: engine create-intent.ts).
// `--baseline ../base` is the other build (`.` for an A/A); the builds' order turns every round.
//
//   npm run build && node bench/first-create.mjs --baseline ../base [--aa] [--runs 10] [--product redis] [--store sqlite|postgres]
//
// `--aa` adds this build a second time (label `aa`) beside `this` and `baseline`. With `--store
// postgres`, count-pg-queries.cjs is preloaded in each server, and the first create's statements,
// waits (statements less those pipelined) and commits are counted, from its request until 300 ms
// after its credentials (the engine's follow-up claim included).
import { spawn } from 'node:child_process';
import { readFileSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@paved/client';
import { benchTargetsFile, requestFor } from './direct-ops.mjs';
import { CLI, arg, freePort, freshDatabase, median, round, tempFolder } from './lib.mjs';
import { ownProcess, stopProcess } from './leftovers.mjs';
import { createAndWait } from './ready-split.mjs';

const runs = Number(arg('runs', '10'));
const product = arg('product', 'redis');
const store = arg('store', 'sqlite');
const baselineRoot = arg('baseline');
const sides = { this: CLI, ...(baselineRoot ? { baseline: join(resolve(baselineRoot), 'packages/cli/dist/main.js') } : {}), ...(process.argv.includes('--aa') ? { aa: CLI } : {}) };
const targets = benchTargetsFile();

const counting = store === 'postgres';
const here = dirname(fileURLToPath(import.meta.url));
/** count-pg-queries.cjs's tally since the last one (written on SIGUSR2, then reset). */
async function tally(pid, file) {
  try { unlinkSync(file); } catch { /* none yet */ }
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    try { return JSON.parse(readFileSync(file, 'utf8')); } catch { /* not written yet */ }
  }
  throw new Error('no tally from the server');
}
const OTHER = new Set(['(commits)', '(pipelined)', '(commits not waiting for the flush)']);
const counts = (t) => {
  const statements = Object.entries(t).reduce((a, [k, n]) => (OTHER.has(k) ? a : a + n), 0);
  return { statements, waits: statements - (t['(pipelined)'] ?? 0), commits: t['(commits)'] ?? 0 };
};

const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

/** One fresh server of `cli`: its start timed, its idle RSS, its first two creates. */
async function oneRound(cli, i) {
  const dir = tempFolder('paved-bench-first-');
  const database = store === 'postgres' ? await freshDatabase('paved_bench_first') : undefined;
  const port = await freePort();
  const cliConfig = join(dir, 'cli.json');
  const t0 = performance.now();
  const countFile = join(dir, 'count.json');
  const child = spawn(process.execPath, [...(counting ? ['--require', join(here, 'count-pg-queries.cjs')] : []), cli, 'up'], {
    env: {
      ...(counting ? { PAVED_COUNT_PG_FILE: countFile, PAVED_COUNT_PG_ROOT: join(cli, '../../../..') } : {}),
      ...process.env, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port), PAVED_CLI_CONFIG: cliConfig, PAVED_LOG_LEVEL: 'warn', NO_COLOR: '1',
      PAVED_TARGETS_FILE: targets, PAVED_EMBEDDED_POSTGRES: 'off', ...(database ? { PAVED_DATABASE_URL: database.url } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  ownProcess(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    while (!(await fetch(`${url}/readyz`).then((r) => r.ok, () => false))) {
      if (child.exitCode !== null) throw new Error(`paved up (${cli}) exited`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const startMs = performance.now() - t0;
    let token;
    while (token === undefined) {
      try { token = JSON.parse(readFileSync(cliConfig, 'utf8')).token; } catch { await new Promise((r) => setTimeout(r, 20)); }
    }
    await new Promise((r) => setTimeout(r, 3000));
    const idleRssKiB = rssKiB(child.pid);
    const client = createClient({ url, token });
    const team = `first-${i}`;
    await client.createTeam({ name: team });
    const creates = [];
    for (const name of ['first', 'second']) {
      if (counting) await tally(child.pid, countFile);
      const timing = await createAndWait(client, team, requestFor(product, name));
      if (counting) await new Promise((r) => setTimeout(r, 300));
      creates.push({ ms: timing.t2 - timing.t0, phase: timing.phase, ...(counting ? counts(await tally(child.pid, countFile)) : {}) });
    }
    for (const name of ['first', 'second']) {
      await client.deleteInstance(team, name);
      await client.watchInstance(team, name, { onStatus() {} }).catch(() => {});
    }
    return { startMs, idleRssKiB, creates };
  } finally {
    await stopProcess(child);
    await database?.drop();
  }
}

const results = Object.fromEntries(Object.keys(sides).map((label) => [label, []]));
for (let i = 0; i < runs; i++) {
  const labels = Object.keys(sides);
  const order = labels.map((_, k) => labels[(k + i) % labels.length]);
  for (const label of order) results[label].push(await oneRound(sides[label], i));
}
const summary = Object.fromEntries(Object.entries(results).map(([label, rounds]) => [label, {
  startMs: round(median(rounds.map((r) => r.startMs)), 1),
  idleRssMiB: round(median(rounds.map((r) => r.idleRssKiB)) / 1024, 1),
  firstCreateMs: round(median(rounds.map((r) => r.creates[0].ms)), 2),
  secondCreateMs: round(median(rounds.map((r) => r.creates[1].ms)), 2),
  firstPhases: count(rounds.map((r) => r.creates[0].phase)),
  secondPhases: count(rounds.map((r) => r.creates[1].phase)),
  ...(counting ? Object.fromEntries(['statements', 'waits', 'commits'].flatMap((k) => [0, 1].map((n) => [`${['first', 'second'][n]}Create${k[0].toUpperCase()}${k.slice(1)}`, round(rounds.reduce((a, r) => a + r.creates[n][k], 0) / rounds.length, 1)]))) : {}),
}]));
function count(values) {
  const counted = {};
  for (const v of values) counted[v] = (counted[v] ?? 0) + 1;
  return counted;
}
process.stdout.write(`${JSON.stringify({ benchmark: 'first-create', product, store, runs, summary })}\n`);
for (const [label, s] of Object.entries(summary)) process.stderr.write(`${label}: ${JSON.stringify(s)}\n`);
