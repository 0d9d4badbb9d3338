// The server's instructions a redis create, counted under valgrind (cachegrind, no cache
// simulation): repeatable whatever else runs on the machine, unlike its wall clock. Two servers of
// one build, each started under cachegrind on a fresh SQLite store (or PostgreSQL database:
// --store postgres), get the same warm-up, then
// one N and the other M requests as time-to-ready.mjs makes them (the client's
// createAndWaitForCredentials, the credentials in hand, then the delete and its end); the
// difference of their totals over M − N is one request's instructions, start-up and warm-up
// cancelled out. Prints it, and the per-request difference of each function group (cg_annotate
// of the two outputs: JIT'd JavaScript is one unnamed group; builtins, V8's runtime, GC,
// OpenSSL, SQLite, libuv and the kernel's side are named).
//
//   npm run build && node bench/create-instructions.mjs [--n 10] [--m 40] [--root ../base]
//     [--keep DIR] (the cachegrind outputs kept in DIR, for cg_annotate) [--from DIR] (no run: a kept pair read again)
//     [--top 40] (functions listed) [--node-args "ARGS"] (space-separated, to both servers' node, e.g. a V8 flag)
//     [--tool callgrind|none] (none: no valgrind, the CPU of the server
//     and of PostgreSQL's backends from /proc instead)
//     [--store sqlite|postgres] (postgres: each server on a fresh database of its own on this
//     machine's PostgreSQL, dropped at the end; the PostgreSQL backends' CPU over the counted
//     requests is printed too, from /proc/<pid>/stat of the server's backends: not under valgrind)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { arg, cachegrind, cpuTicks, freshDatabase, MACHINE_PG, startPaved, tempFolder } from './lib.mjs';
import { benchTargetsFile, requestFor } from './direct-ops.mjs';
import { createAndWait } from './ready-split.mjs';

const n = Number(arg('n', '10'));
const m = Number(arg('m', '40'));
const warmup = Number(arg('warmup', '10'));
const root = resolve(arg('root', '.'));
const keep = arg('keep');
// `--tool callgrind`: the outputs (kept with --keep) have callers (callgrind_annotate --tree=caller); no summary is printed.
// `--tool none`: no valgrind; the server's own CPU (user and system, /proc/<pid>/stat) over the
// counted requests is printed instead, beside the PostgreSQL backends' (--store postgres).
const tool = arg('tool', 'cachegrind');
const nodeArgs = (arg('node-args') ?? '').split(' ').filter(Boolean);
const { createClient } = await import(pathToFileURL(join(root, 'packages/client/dist/index.js')).href);
const targets = benchTargetsFile();
const from = arg('from');
const store = arg('store', 'sqlite');
if (!['sqlite', 'postgres'].includes(store)) throw new Error(`--store wants sqlite or postgres, got "${store}"`);

/** utime + stime (clock ticks) of the backends connected to `database`, and how many there are. */
async function backendTicks(admin, database) {
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      const { user, system } = cpuTicks(pid);
      ticks += user + system;
    } catch { /* gone */ }
  }
  return { ticks, backends: rows.length };
}
const out = from ?? tempFolder('paved-cg-');

/** One server under cachegrind (or not: --tool none): warm-up, then `count` requests; returns the cachegrind output's path. */
async function serverRun(count, label) {
  const file = join(out, `${label}.cg`);
  const database = store === 'postgres' ? await freshDatabase('paved_bench_cg') : undefined;
  const paved = await startPaved({ PAVED_TARGETS_FILE: targets, PAVED_EMBEDDED_POSTGRES: 'off', ...(database ? { PAVED_DATABASE_URL: database.url } : {}) }, {
    cli: join(root, 'packages/cli/dist/main.js'),
    nodeArgs,
    wrap: tool === 'callgrind'
      ? ['valgrind', '--tool=callgrind', '--dump-instr=no', `--callgrind-out-file=${file}`]
      : tool === 'none' ? [] : cachegrind(file),
  });
  // The backends' CPU is read from this machine's PostgreSQL (pg_stat_activity), on a connection outside the server's database.
  const admin = database ? new pg.Client({ connectionString: MACHINE_PG }) : undefined;
  try {
    const client = createClient({ url: paved.url, token: paved.token });
    const team = `cg-${randomBytes(3).toString('hex')}`;
    await client.createTeam({ name: team });
    await admin?.connect();
    const dbName = database ? new URL(database.url).pathname.slice(1) : undefined;
    let before;
    let serverBefore;
    let createTicks = 0;
    const serverCreate = { user: 0, system: 0 };
    for (let i = -warmup; i < count; i++) {
      if (i === 0 && admin) before = await backendTicks(admin, dbName);
      if (i === 0 && tool === 'none') serverBefore = cpuTicks(paved.pid);
      const name = `c-${i + warmup}`;
      // The backends' CPU over the creates alone (create → credentials in hand), the deletes left out.
      const createStart = i >= 0 && admin ? await backendTicks(admin, dbName) : undefined;
      const serverStart = i >= 0 && tool === 'none' ? cpuTicks(paved.pid) : undefined;
      const timing = await createAndWait(client, team, requestFor('redis', name));
      if (serverStart) {
        const end = cpuTicks(paved.pid);
        serverCreate.user += end.user - serverStart.user;
        serverCreate.system += end.system - serverStart.system;
      }
      if (createStart) createTicks += (await backendTicks(admin, dbName)).ticks - createStart.ticks;
      if (!timing.credentials.values.password) throw new Error('no credential revealed');
      await client.deleteInstance(team, name);
      await client.watchInstance(team, name, { onStatus() {} }).catch(() => {});
    }
    if (tool === 'none') {
      const after = cpuTicks(paved.pid);
      const ms = 1000 / clockTicks;
      console.log(`${label}: the server's CPU a request: user ${((after.user - serverBefore.user) * ms / count).toFixed(2)} ms, system ${((after.system - serverBefore.system) * ms / count).toFixed(2)} ms; of which over the creates (create → credentials): user ${(serverCreate.user * ms / count).toFixed(2)} ms, system ${(serverCreate.system * ms / count).toFixed(2)} ms a create`);
    }
    if (admin) {
      const after = await backendTicks(admin, dbName);
      console.log(`${label}: PostgreSQL backends' CPU over the ${count} counted requests: ${after.ticks - before.ticks} ticks, ${((after.ticks - before.ticks) * 1000 / clockTicks / count).toFixed(2)} ms a request (${before.backends} → ${after.backends} backends), of which over the creates (create → credentials): ${(createTicks * 1000 / clockTicks / count).toFixed(2)} ms a create`);
      backendCpu.set(label, after.ticks - before.ticks);
    }
  } finally {
    await admin?.end().catch(() => {});
    await paved.stop();
    await database?.drop();
  }
  return file;
}

/** cg_annotate's per-function Ir of one output: Map(name → Ir). */
function functions(file) {
  const text = execFileSync('cg_annotate', ['--auto=no', '--threshold=0', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const map = new Map();
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(\S.*)$/.exec(line);
    if (!match) continue;
    const ir = Number(match[1].replaceAll(',', ''));
    if (match[2].includes('PROGRAM TOTALS')) total = ir;
    else if (match[2].includes(':')) map.set(match[2], (map.get(match[2]) ?? 0) + ir);
  }
  return { total, map };
}

const GROUPS = [
  ['JIT (JavaScript, unnamed)', /^\?\?\?:\?\?\?$/],
  ['V8 compiler (TurboFan, Maglev, Sparkplug, parser)', /compiler::|Compiler|turbofan|Turbofan|maglev|Maglev|baseline::|Parser|Scanner|BytecodeGenerator|interpreter::/],
  ['GC', /Heap|Scavenge|Mark|Sweep|Evacuat|Compact|Marking|GC|Remembered|SlotSet|Promot|MemoryChunk/],
  ['OpenSSL: Ed25519 (the audit signatures)', /fe_mul|fe_sq|fe_|cmov|ge_|table_select|sc_muladd|sc_reduce|ed25519|slide/i],
  ['OpenSSL: other (hashes, ciphers, keys)', /libcrypto|openssl|EVP_|sha256|sha512|SHA256|SHA512|aes|gcm|ossl_|OPENSSL_|BN_|CRYPTO_/i],
  ['SQLite', /sqlite3|wal[A-Z]|vdbe|Vdbe|btree|Btree|pager|Pager|releaseMemArray|pcache|Pcache/],
  ['JSON (builtins, runtime)', /JSON|Json/],
  ['V8 builtins (interpreter, ICs)', /Builtins_/],
  ['V8 runtime (objects, properties, strings)', /v8::/],
  ['libuv, node (I/O, streams, timers)', /uv_|node::|libuv/],
  ['libc (memcpy, malloc…)', /libc|ld-linux|malloc|memcpy|memmove|memset|free|strcmp|strlen/],
];

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
const backendCpu = new Map();
const runs = [];
for (const [count, label] of [[n, 'n'], [m, 'm']]) {
  const file = from ? join(from, `${label}.cg`) : await serverRun(count, label);
  if (tool === 'cachegrind') runs.push(functions(file));
  if (keep && !from && tool !== 'none') copyFileSync(file, join(keep, `${label}.cg`));
}
if (backendCpu.size === 2) {
  const tick = 1000 / clockTicks;
  console.log(`PostgreSQL backends' CPU a request: ${((backendCpu.get('m') - backendCpu.get('n')) * tick / (m - n)).toFixed(2)} ms ((M − N) difference; /proc ticks of ${tick} ms)`);
}
if (tool !== 'cachegrind') process.exit(0);
const per = (a, b) => (b - a) / (m - n);
console.log(`${from ?? root}: ${n} and ${m} requests${from ? '' : ` (after ${warmup} of warm-up)`}: ${runs[0].total.toLocaleString()} and ${runs[1].total.toLocaleString()} instructions`);
console.log(`instructions a request (create → credentials, then its delete): ${Math.round(per(runs[0].total, runs[1].total)).toLocaleString()}`);
const grouped = new Map();
for (const name of new Set([...runs[0].map.keys(), ...runs[1].map.keys()])) {
  const group = GROUPS.find(([, re]) => re.test(name))?.[0] ?? 'other';
  const d = per(runs[0].map.get(name) ?? 0, runs[1].map.get(name) ?? 0);
  grouped.set(group, (grouped.get(group) ?? 0) + d);
}
const compiler = grouped.get(GROUPS[1][0]) ?? 0;
console.log(`outside V8's compiler (its optimizing compiles still come and go after warm-up, run to run): ${Math.round(per(runs[0].total, runs[1].total) - compiler).toLocaleString()}`);
for (const [group, d] of [...grouped].sort((a, b) => b[1] - a[1])) console.log(`  ${group.padEnd(52)} ${Math.round(d).toLocaleString().padStart(12)}`);
const top = [...new Set([...runs[0].map.keys(), ...runs[1].map.keys()])]
  .map((name) => [name, per(runs[0].map.get(name) ?? 0, runs[1].map.get(name) ?? 0)])
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(arg('top', '40')));
console.log('functions, a request:');
for (const [name, d] of top) console.log(`  ${Math.round(d).toLocaleString().padStart(12)}  ${name.slice(0, 140)}`);
