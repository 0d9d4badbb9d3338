// V8's own traces of a `paved up` server over many redis create → credentials + delete requests
// (as create-instructions.mjs makes them), with a line `@@WINDOW i` on the same stdout every 50
// requests, so the trace can be cut into windows: how many TurboFan compiles, deopts, regexp
// compiles… each 50 requests (bench/README.md §1, round 22). The server's stdout is this script's:
//
//   PAVED_BENCH_STDOUT=1 node bench/v8-trace-windows.mjs --requests 600 \
//     --node-args "--trace-opt --trace-deopt --trace-flush-bytecode" > trace.log
//   awk '/^@@WINDOW/{w=$2} /completed compiling/{c[w]++} /bailout/{d[w]++} END{for (w in c) print w, c[w], d[w]}' trace.log | sort -n
//
// (`--trace-regexp-parser --trace-gc` shows which expressions are compiled after which GC; `--root
// ../other` another build.) Past ≈ 2,400 requests the team's instance quota refuses the create.
import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { arg, startPaved } from './lib.mjs';
import { benchTargetsFile, requestFor } from './direct-ops.mjs';
import { createAndWait } from './ready-split.mjs';
const root = resolve(arg('root', '.'));
const total = Number(arg('requests', '600'));
const nodeArgs = (arg('node-args', '') || '').split(' ').filter(Boolean);
const { createClient } = await import(pathToFileURL(join(root, 'packages/client/dist/index.js')).href);
const paved = await startPaved({ PAVED_TARGETS_FILE: benchTargetsFile(), PAVED_EMBEDDED_POSTGRES: 'off' }, { cli: join(root, 'packages/cli/dist/main.js'), nodeArgs });
try {
  const client = createClient({ url: paved.url, token: paved.token });
  const team = `jt-${randomBytes(3).toString('hex')}`;
  await client.createTeam({ name: team });
  for (let i = 0; i < total; i++) {
    if (i % 50 === 0) writeSync(1, `@@WINDOW ${i}\n`);
    const name = `c-${i}`;
    await createAndWait(client, team, requestFor('redis', name));
    await client.deleteInstance(team, name);
    await client.watchInstance(team, name, { onStatus() {} }).catch(() => {});
  }
  await new Promise((r) => setTimeout(r, 500));
  writeSync(1, `@@END\n`);
} finally { await paved.stop(); }
