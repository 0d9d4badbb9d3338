// The creates in a bench/path-timeline.cjs timeline: each `POST …/instances?wait=ready&reveal=true`
// request's arrival and the socket write that carries its credentials (the stream's `event:
// credentials`). Shared by path-timeline-report.mjs, path-timeline-mysql.mjs and
// cpu-window-report.mjs, so that they cut the same windows.

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
