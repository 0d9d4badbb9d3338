// The creates in a bench/path-timeline.cjs timeline: each `POST …/instances?wait=ready&reveal=true`
// request's arrival and the socket write that carries its credentials (the stream's `event:
// credentials`). Shared by path-timeline-report.mjs, path-timeline-mysql.mjs,
// path-timeline-postgres.mjs and cpu-window-report.mjs, so that they cut the same windows; and the
// per-product reports' table of phase medians (phaseTable).
import { median } from './lib.mjs';

/** Sorts `marks` by time (in place) and returns each create's [request index, credentials write index]. */
export function createWindows(marks) {
  marks.sort((a, b) => a[1] - b[1]);
  const windows = [];
  for (let i = 0; i < marks.length; i++) {
    if (!(marks[i][0] === 'request' && marks[i][3].includes('wait=ready&reveal=true'))) continue;
    const end = marks.findIndex((m, j) => j > i && m[0] === 'write' && m[3].includes('event: credentials'));
    if (end >= 0) windows.push([i, end]);
  }
  return windows;
}

/**
 * Phases by name, each a list of durations (ms), printed as medians in the order first added:
 * `span(name, from, to)` adds `to`'s time less `from`'s, both indexes into `window`.
 */
export function phaseTable() {
  const phases = new Map();
  return {
    span(window, name, from, to) {
      if (!phases.has(name)) phases.set(name, []);
      phases.get(name).push(window[to][1] - window[from][1]);
    },
    print(who, windows) {
      console.log(`${who}: ${phases.values().next().value?.length ?? 0} creates of ${windows}; medians, ms`);
      for (const [name, values] of phases) console.log(`${median(values).toFixed(3).padStart(7)}  ${name}`);
    },
  };
}

/**
 * A server create's request → `first` (its driver's first statement written, named `name`), split
 * at the last SQLite COMMIT started before it: the engine's intent record's, after which the
 * driver is called. Nothing without one (the PostgreSQL store's statements are not marked).
 */
export function intentSplit(phases, window, first, name) {
  let intent = first - 1;
  while (intent >= 0 && !(window[intent][0] === 'sql' && window[intent][3] === 'commit')) intent--;
  if (intent < 0) return;
  phases.span(window, "request → the intent's COMMIT", 0, intent);
  phases.span(window, `the intent's COMMIT → ${name}`, intent, first);
}
