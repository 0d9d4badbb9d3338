let isoMs = Number.NaN;
let isoText = '';

/**
 * `new Date(ms).toISOString()`, the text kept for the last millisecond asked: the engine's passes
 * and the store's writes of one millisecond each ask for it (every status and event is stamped),
 * a dozen and more of them at a few thousand passes a second (bench/README.md §3).
 */
export function isoAt(ms: number): string {
  if (ms !== isoMs) {
    isoText = new Date(ms).toISOString();
    isoMs = ms;
  }
  return isoText;
}
