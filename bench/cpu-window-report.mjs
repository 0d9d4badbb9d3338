// A server's CPU profile cut to the creates' request → credentials windows, so that the delete,
// the work after the response and start-up fall outside it: take the profile and the timeline
// in one run, from the checkout whose server is measured,
//   node bench/time-to-ready.mjs --product redis --runs 60 --node-args "--cpu-prof
//     --cpu-prof-dir=/tmp/prof --cpu-prof-interval 100 --require $PWD/bench/path-timeline.cjs"
//   node bench/cpu-window-report.mjs /tmp/prof/CPU….cpuprofile /tmp/paved-timeline-PID.json [--skip 0.15]
// The windows are path-timeline-windows.mjs's, as path-timeline-report.mjs cuts them (a POST …?wait=ready&reveal=true's arrival to the end
// of the socket write that carries its credentials); the timeline's `clock` maps them onto the
// profile's monotonic µs. `--skip` leaves out the first creates (one-time compilations). Prints the
// samples' self time by package, by the outermost @paved/store frame of their stack (which store
// call they ran under), and their own frames under the store: inflated by the profiler, so read
// shares, not milliseconds.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createWindows } from './path-timeline-windows.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { skip: { type: 'string', default: '0.15' }, top: { type: 'string', default: '25' } } });
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const { clock, marks } = JSON.parse(readFileSync(positionals[1], 'utf8'));
if (!clock) throw new Error('the timeline has no clock: take it with this checkout\'s bench/path-timeline.cjs');
const toProfileUs = (ms) => clock[1] + (ms - clock[0]) * 1000;
const top = Number(values.top);

const windows = createWindows(marks).map(([i, end]) => [toProfileUs(marks[i][1]), toProfileUs(marks[end][1] + marks[end][2])]);
const kept = windows.slice(Math.floor(windows.length * Number(values.skip)));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
const packageOf = (url) => url.match(/packages\/([^/]+)\//)?.[1] ?? url.match(/node_modules\/((@[^/]+\/)?[^/]+)/)?.[1] ?? (url.startsWith('node:') ? 'node' : url ? 'other' : '(native)');
const frame = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);

const byPackage = new Map(), byStoreCall = new Map(), underStore = new Map();
let busy = 0, idle = 0, w = 0, at = profile.startTime;
for (let i = 0; i < profile.samples.length && w < kept.length; i++) {
  at += profile.timeDeltas[i];
  while (w < kept.length && kept[w][1] < at) w++;
  if (w >= kept.length || at < kept[w][0]) continue;
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000; // a sample stands for the time until the next
  const stack = [];
  for (let id = profile.samples[i]; id !== undefined; id = parentOf.get(id)) stack.push(byId.get(id));
  if (stack[0].callFrame.functionName === '(idle)') { idle += ms; continue; }
  busy += ms;
  add(byPackage, packageOf(stack[0].callFrame.url), ms);
  const outermost = stack.findLastIndex((n) => packageOf(n.callFrame.url) === 'store');
  if (outermost < 0) continue;
  add(byStoreCall, frame(stack[outermost]), ms);
  add(underStore, `${packageOf(stack[0].callFrame.url)} ${frame(stack[0])}${stack[1] ? ` < ${frame(stack[1])}` : ''}`, ms);
}

const show = (title, map) => {
  console.log(`--- ${title}`);
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms.toFixed(1).padStart(8)} ${(100 * ms / busy).toFixed(1).padStart(5)} %  ${key}`);
};
console.log(`${kept.length} creates (of ${windows.length}); in their windows ${busy.toFixed(0)} ms busy, ${idle.toFixed(0)} ms idle; ${(busy / kept.length).toFixed(2)} ms busy a create (profiled)`);
show('self, by package', byPackage);
show('by the outermost store frame (the store call)', byStoreCall);
show('self frames under the store', underStore);
