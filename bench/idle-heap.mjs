// The V8 heap an idle `paved up` holds, after a forced GC: steadier than its RSS, which moves by
// ±3 MiB run to run with when V8's memory reducer runs and what malloc keeps (§9, round 6).
//
//   npm run build && node bench/idle-heap.mjs [--runs 3] [--seconds 20] [--baseline-cli OTHER/packages/cli/dist/main.js]
//
// Each run starts this build's `paved up` (SQLite, empty but for the built-in products) and the
// baseline's, one after the other, with --expose-gc and a preload (written to a temporary file)
// that, `--seconds` after start, collects twice and prints the heap used and the RSS. Medians.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, arg, median, round, startPaved, tempFolder } from './lib.mjs';

const runs = Number(arg('runs', '3'));
const seconds = Number(arg('seconds', '20'));
const baselineCli = arg('baseline-cli');
const dir = tempFolder('paved-idle-heap-');
const out = join(dir, 'heap.jsonl');
const preload = join(dir, 'preload.mjs');
writeFileSync(preload, `import { appendFileSync } from 'node:fs';
setTimeout(() => {
  globalThis.gc(); globalThis.gc();
  const { heapUsed, rss } = process.memoryUsage();
  appendFileSync(${JSON.stringify(out)}, JSON.stringify({ heapUsed, rss }) + '\\n');
}, ${seconds * 1000}).unref();
`);

const builds = { paved: CLI, ...(baselineCli ? { baseline: baselineCli } : {}) };
const results = Object.fromEntries(Object.keys(builds).map((name) => [name, { heapUsedMB: [], rssMiB: [] }]));
for (let run = 0; run < runs; run++) {
  const order = run % 2 === 0 ? Object.entries(builds) : Object.entries(builds).reverse();
  for (const [name, cli] of order) {
    rmSync(out, { force: true });
    const paved = await startPaved({ PAVED_EMBEDDED_POSTGRES: 'off' }, { cli, nodeArgs: ['--expose-gc', '--import', preload] });
    await new Promise((resolve) => setTimeout(resolve, (seconds + 2) * 1000));
    const { heapUsed, rss } = JSON.parse(readFileSync(out, 'utf8'));
    results[name].heapUsedMB.push(heapUsed / 1e6);
    results[name].rssMiB.push(rss / 1048576);
    await paved.stop();
    rmSync(paved.dir, { recursive: true, force: true });
  }
}
rmSync(dir, { recursive: true, force: true });
const summary = Object.fromEntries(Object.entries(results).map(([name, r]) => [name, { heapUsedMB: round(median(r.heapUsedMB), 2), rssMiB: round(median(r.rssMiB), 1) }]));
console.log(JSON.stringify({ benchmark: 'idle-heap', runs, seconds, ...summary }));
for (const [name, r] of Object.entries(summary)) console.error(`idle-heap: ${name} ${r.heapUsedMB} MB heap used, ${r.rssMiB} MiB RSS after a forced GC`);
if (summary.baseline) console.error(`idle-heap: heap ratio ${round(summary.paved.heapUsedMB / summary.baseline.heapUsedMB, 3)}`);
