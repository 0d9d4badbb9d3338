// Reads bench/path-timeline.cjs's marks and prints, for the creates answered with their status
// stream (POST …/instances?wait=ready&reveal=true), the median timeline from the request's arrival
// to the socket write that carries the credentials: each mark by its order of kind and label
// (its median time from the request, its median duration, the share of creates that have it).
// `--from REGEX` starts each create's window at its first mark matching "kind label" instead (and
// `--to REGEX` ends it at the next matching mark), e.g. `--from '^sql update "instances" set
// "attempts"'` for the Ready write to the credentials.
//   node bench/path-timeline-report.mjs /tmp/paved-timeline-PID.json [--from REGEX] [--to REGEX] [--min-share 0.5]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { median } from './lib.mjs';
import { createWindows } from './path-timeline-windows.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { from: { type: 'string' }, to: { type: 'string' }, 'min-share': { type: 'string', default: '0.5' } } });
const { marks } = JSON.parse(readFileSync(positionals[0], 'utf8'));
const named = (m) => `${m[0]} ${m[3]}`;
const from = values.from ? new RegExp(values.from) : undefined;
const to = values.to ? new RegExp(values.to) : undefined;

const rows = new Map();
const spans = [];
let creates = 0;
for (const [i, credentials] of createWindows(marks)) {
  let end = credentials;
  let start = from ? marks.findIndex((m, j) => j > i && j <= end && from.test(named(m))) : i;
  if (start < 0) continue;
  if (to) end = marks.findIndex((m, j) => j > start && j <= end && to.test(named(m)));
  if (end < 0) continue;
  creates++;
  const t0 = marks[start][1];
  spans.push(marks[end][1] - t0);
  const seen = new Map();
  for (const m of marks.slice(start, end + 1)) {
    const label = named(m).replace(/\b[0-9a-f]{8}-[0-9a-f-]{27}\b|bench[-_][\w-]+/g, '…').slice(0, 90);
    const nth = (seen.get(label) ?? 0) + 1;
    seen.set(label, nth);
    const key = `${label} #${nth}`;
    if (!rows.has(key)) rows.set(key, []);
    rows.get(key).push([m[1] - t0, m[2]]);
  }
}
const minShare = Number(values['min-share']);
console.log(`${creates} creates; the window's median ${median(spans).toFixed(3)} ms`);
console.log('     at    took  share  mark');
const kept = [...rows].filter(([, v]) => v.length >= creates * minShare).map(([k, v]) => [k, median(v.map((x) => x[0])), median(v.map((x) => x[1])), v.length / creates]);
for (const [k, at, took, share] of kept.sort((a, b) => a[1] - b[1])) console.log(`${at.toFixed(3).padStart(7)} ${took.toFixed(3).padStart(7)} ${share.toFixed(2).padStart(6)}  ${k}`);
