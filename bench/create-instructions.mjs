// The server's instructions a redis create, counted under valgrind (cachegrind, no cache
// simulation): repeatable whatever else runs on the machine, unlike its wall clock. Two servers of
// one build, each started under cachegrind on a fresh SQLite store, get the same warm-up, then
// one N and the other M requests as time-to-ready.mjs makes them (the client's
// createAndWaitForCredentials, the credentials in hand, then the delete and its end); the
// difference of their totals over M − N is one request's instructions, start-up and warm-up
// cancelled out. Prints it, and the per-request difference of each function group (cg_annotate
// of the two outputs: JIT'd JavaScript is one unnamed group; builtins, V8's runtime, GC,
// OpenSSL, SQLite, libuv and the kernel's side are named).
//
//   npm run build && node bench/create-instructions.mjs [--n 10] [--m 40] [--root ../base]
//     [--keep DIR] (the cachegrind outputs kept in DIR, for cg_annotate) [--from DIR] (no run: a kept pair read again)
//     [--top 40] (functions listed)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { arg, cachegrind, startPaved, tempFolder } from './lib.mjs';
import { benchTargetsFile, requestFor } from './direct-ops.mjs';
import { createAndWait } from './ready-split.mjs';

const n = Number(arg('n', '10'));
const m = Number(arg('m', '40'));
const warmup = Number(arg('warmup', '10'));
const root = resolve(arg('root', '.'));
const keep = arg('keep');
// `--tool callgrind`: the outputs (kept with --keep) have callers (callgrind_annotate --tree=caller); no summary is printed.
const tool = arg('tool', 'cachegrind');
const { createClient } = await import(pathToFileURL(join(root, 'packages/client/dist/index.js')).href);
const targets = benchTargetsFile();
const from = arg('from');
const out = from ?? tempFolder('paved-cg-');

/** One server under cachegrind: warm-up, then `count` requests; returns the cachegrind output's path. */
async function serverRun(count, label) {
  const file = join(out, `${label}.cg`);
  const paved = await startPaved({ PAVED_TARGETS_FILE: targets, PAVED_EMBEDDED_POSTGRES: 'off' }, {
    cli: join(root, 'packages/cli/dist/main.js'),
    wrap: tool === 'callgrind'
      ? ['valgrind', '--tool=callgrind', '--dump-instr=no', `--callgrind-out-file=${file}`]
      : cachegrind(file),
  });
  try {
    const client = createClient({ url: paved.url, token: paved.token });
    const team = `cg-${randomBytes(3).toString('hex')}`;
    await client.createTeam({ name: team });
    for (let i = -warmup; i < count; i++) {
      const name = `c-${i + warmup}`;
      const timing = await createAndWait(client, team, requestFor('redis', name));
      if (!timing.credentials.values.password) throw new Error('no credential revealed');
      await client.deleteInstance(team, name);
      await client.watchInstance(team, name, { onStatus() {} }).catch(() => {});
    }
  } finally {
    await paved.stop();
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

const runs = [];
for (const [count, label] of [[n, 'n'], [m, 'm']]) {
  const file = from ? join(from, `${label}.cg`) : await serverRun(count, label);
  if (tool !== 'callgrind') runs.push(functions(file));
  if (keep && !from) copyFileSync(file, join(keep, `${label}.cg`));
}
if (tool === 'callgrind') process.exit(0);
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
