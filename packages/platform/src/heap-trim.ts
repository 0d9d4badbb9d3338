import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { performance } from 'node:perf_hooks';

/** How often the process looks at its heap and at how busy its event loop was. */
const WINDOW_MS = 10_000;
/** Below this share of a window spent running JavaScript, the process is quiet. */
const QUIET_UTILIZATION = 0.05;
/** Heap held beyond what is in use that is worth a full GC to give back. */
const SLACK_BYTES = 16 * 1024 * 1024;
/** Trims at most in one quiet spell: a heap that keeps its slack after these is left alone. */
const TRIMS_PER_QUIET_SPELL = 3;

/** What the trim knows between windows: how many times it has trimmed in the current quiet spell. */
export interface TrimState {
  trimsThisSpell: number;
}

/** One window's reading: was the event loop quiet, and how much heap is held beyond what is used. */
export interface TrimWindow {
  quiet: boolean;
  slackBytes: number;
}

/**
 * Whether to trim at the end of a window, and the state for the next one. A busy window ends a
 * quiet spell; in a quiet spell the heap is trimmed while it holds SLACK_BYTES more than it uses,
 * a few times at most. Not once only: a trim in a lull before a burst has ended, or right after
 * it while V8 still counts the burst's allocation rate, leaves the young generation grown (two
 * 16 MB semi-spaces), and the next quiet window must try again (bench/README.md §9, round 4).
 * Not without end: a heap whose slack a compacting GC cannot give back is not collected every
 * window of an idle process.
 */
export function trimDecision(state: TrimState, window: TrimWindow): { trim: boolean; next: TrimState } {
  if (!window.quiet) return { trim: false, next: { trimsThisSpell: 0 } };
  const trim = window.slackBytes > SLACK_BYTES && state.trimsThisSpell < TRIMS_PER_QUIET_SPELL;
  return { trim, next: { trimsThisSpell: state.trimsThisSpell + (trim ? 1 : 0) } };
}

/** Told after each trim: the heap's total size before and after, in bytes. */
export type OnTrim = (trimmed: { totalBefore: number; totalAfter: number }) => void;

/**
 * Gives back the V8 heap a busy spell grew, at the first quiet window after it: one compacting
 * full GC, which also shrinks the young generation (16 MB semi-spaces after a burst) once allocation has
 * slowed. V8's memory reducer does this by itself only 100 s after the last full GC (its
 * watchdog: an idle `paved up` allocates too little to fill a semi-space and start a GC), so a
 * minute after provisioning 10,000 instances the server still held the burst's heap
 * (bench/README.md §9, round 3). When it runs again is trimDecision's.
 *
 * `gc` is V8's own (its --expose-gc flag, for a fresh context only: the process's globals stay
 * as they were). Returns a function that stops the timer.
 */
export function startHeapTrim(onTrim?: OnTrim): () => Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  let before = performance.eventLoopUtilization();
  let state: TrimState = { trimsThisSpell: 0 };
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const quiet = performance.eventLoopUtilization(now, before).utilization < QUIET_UTILIZATION;
    before = now;
    const { total_heap_size: totalBefore, used_heap_size: used } = getHeapStatistics();
    const decision = trimDecision(state, { quiet, slackBytes: totalBefore - used });
    state = decision.next;
    if (!decision.trim) return;
    // A full GC moves objects only off the pages it finds most fragmented: the burst left the
    // old generation's live objects spread over ~12 MB more pages than they fill. At a quiet
    // moment, every page is compacted so the emptied ones go back.
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
    onTrim?.({ totalBefore, totalAfter: getHeapStatistics().total_heap_size });
  }, WINDOW_MS);
  timer.unref();
  return async () => clearInterval(timer);
}
