import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { performance } from 'node:perf_hooks';

/** How often the process looks at its heap and at how busy its event loop was. */
const WINDOW_MS = 10_000;
/** Below this share of a window spent running JavaScript, the process is quiet. */
const QUIET_UTILIZATION = 0.05;
/** Heap held beyond what is in use that is worth a full GC to give back. */
const SLACK_BYTES = 16 * 1024 * 1024;

/**
 * Gives back the V8 heap a busy spell grew, at the first quiet window after it: one compacting
 * full GC, which also shrinks the young generation (16 MB semi-spaces after a burst) once allocation has
 * slowed. V8's memory reducer does this by itself only 100 s after the last full GC (its
 * watchdog: an idle `paved up` allocates too little to fill a semi-space and start a GC), so a
 * minute after provisioning 10,000 instances the server still held the burst's heap
 * (bench/README.md §9, round 3). Runs only when the heap holds SLACK_BYTES more than it uses
 * and has grown since the last time, so a quiet process is not collected over and over.
 *
 * `gc` is V8's own (its --expose-gc flag, for a fresh context only: the process's globals stay
 * as they were). Returns a function that stops the timer.
 */
export function startHeapTrim(): () => Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  let before = performance.eventLoopUtilization();
  let trimmedAt = 0;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const quiet = performance.eventLoopUtilization(now, before).utilization < QUIET_UTILIZATION;
    before = now;
    const { total_heap_size: total, used_heap_size: used } = getHeapStatistics();
    if (quiet && total - used > SLACK_BYTES && total > trimmedAt) {
      // A full GC moves objects only off the pages it finds most fragmented: the burst left the
      // old generation's live objects spread over ~12 MB more pages than they fill. Once, at a
      // quiet moment, every page is compacted so the emptied ones go back.
      setFlagsFromString('--compact-on-every-full-gc');
      try {
        gc();
      } finally {
        setFlagsFromString('--no-compact-on-every-full-gc');
      }
      trimmedAt = getHeapStatistics().total_heap_size;
    }
  }, WINDOW_MS);
  timer.unref();
  return async () => clearInterval(timer);
}
