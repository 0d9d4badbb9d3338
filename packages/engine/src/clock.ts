import type { Clock } from './types.js';

/** Wall-clock time and real timers: what the engine uses unless told otherwise. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};

let isoMs = Number.NaN;
let isoText = '';

/**
 * `new Date(ms).toISOString()`, the text kept for the last millisecond asked: the passes of one
 * millisecond each ask for it (every status they write is stamped), a dozen and more of them at
 * a few thousand passes a second.
 */
export function isoAt(ms: number): string {
  if (ms !== isoMs) {
    isoText = new Date(ms).toISOString();
    isoMs = ms;
  }
  return isoText;
}
