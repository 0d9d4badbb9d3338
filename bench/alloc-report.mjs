// Reads a bench/alloc-sample.cjs profile: what the server allocated per create in the steady
// state, by package (inclusive) and by the frames under one of them.
//   node bench/alloc-report.mjs FILE [--from openTenant] [--creates 121] [--under node_modules/ioredis] [--top 15]
// --from: a function name (regular expression) that first runs in the first create (a driver's
// tenant-session opener: redis openTenant, rabbitmq openSession, postgres/mysql openTenant);
// samples before it (start-up) are left out, and so is the first tenth after it (the first
// requests' one-time compilations: ajv's and fast-json-stringify's schemas). --creates: how many
// creates the run made (time-to-ready: 2 a run plus the warm-up, so 121 for --runs 60).
import { readFileSync } from 'node:fs';
import { arg } from './lib.mjs';

const file = process.argv[2];
if (!file || file.startsWith('--')) throw new Error('usage: node bench/alloc-report.mjs FILE [--from RE] [--creates N] [--under RE] [--top N]');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const from = new RegExp(arg('from', 'openTenant|openSession'));
const under = arg('under') && new RegExp(arg('under'));
const top = Number(arg('top', '15'));

const nodes = new Map();
const parents = new Map();
(function index(node, parent) {
  nodes.set(node.id, node);
  if (parent) parents.set(node.id, parent.id);
  for (const child of node.children) index(child, node);
})(profile.head);
const stackOf = (id) => {
  const frames = [];
  for (let at = id; at !== undefined; at = parents.get(at)) frames.push(nodes.get(at).callFrame);
  return frames;
};
const where = (frame) => `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber}`;
const packageOf = (frame) =>
  frame.url === ''
    ? undefined // the root, V8's builtins and natives: counted with their callers' packages
    : (frame.url.match(/node_modules\/((@[^/]+\/)?[^/]+)/)?.[1] ?? frame.url.match(/\/(packages\/(drivers\/)?[^/]+)\//)?.[1] ?? (frame.url.startsWith('node:') ? frame.url.split('/')[0] : 'other'));

const samples = [...profile.samples].sort((a, b) => a.ordinal - b.ordinal);
const first = samples.findIndex((sample) => stackOf(sample.nodeId).some((frame) => from.test(frame.functionName)));
if (first < 0) throw new Error(`no sample under a function matching ${from}`);
const steady = samples.slice(first).slice(Math.floor((samples.length - first) / 10));
const creates = Number(arg('creates', '121')) * 0.9;

const perCreate = (bytes) => `${(bytes / 1024 / creates).toFixed(1)} KiB`;
const byPackage = new Map();
const byFrames = new Map();
let total = 0;
for (const { size, nodeId } of steady) {
  total += size;
  const stack = stackOf(nodeId);
  for (const name of new Set(stack.map(packageOf))) if (name) byPackage.set(name, (byPackage.get(name) ?? 0) + size);
  const at = under ? stack.findIndex((frame) => under.test(frame.url)) : 0;
  if (at < 0) continue;
  const key = stack.slice(0, at + 1).slice(-3).map(where).join(' < ');
  byFrames.set(key, (byFrames.get(key) ?? 0) + size);
}
const largest = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`allocated per create, steady state: ${perCreate(total)} (${steady.length} samples)`);
console.log('by package, inclusive:');
for (const [name, bytes] of largest(byPackage)) console.log(`  ${perCreate(bytes).padStart(10)}  ${name}`);
console.log(under ? `frames under ${under}:` : 'allocating frames:');
for (const [key, bytes] of largest(byFrames)) console.log(`  ${perCreate(bytes).padStart(10)}  ${key}`);
