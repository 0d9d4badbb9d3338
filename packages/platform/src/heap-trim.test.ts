import { describe, expect, it } from 'vitest';
import { startHeapTrim, trimDecision, type TrimState } from './heap-trim.js';

const MiB = 1024 * 1024;

/** Runs windows through trimDecision from a fresh state; answers which of them trimmed. */
function trims(windows: Array<{ quiet: boolean; slackBytes: number }>): boolean[] {
  let state: TrimState = { trimsThisSpell: 0 };
  return windows.map((window) => {
    const decision = trimDecision(state, window);
    state = decision.next;
    return decision.trim;
  });
}

describe('startHeapTrim', () => {
  it('takes V8\'s gc for itself only: the process\'s globals stay as they were, and it stops', async () => {
    const before = typeof (globalThis as { gc?: unknown }).gc;
    const stop = startHeapTrim();
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe(before);
    await expect(stop()).resolves.toBeUndefined();
  });
});

describe('trimDecision', () => {
  it('trims only in a quiet window, and only when the slack is worth a full GC', () => {
    expect(trims([{ quiet: false, slackBytes: 80 * MiB }])).toEqual([false]);
    expect(trims([{ quiet: true, slackBytes: 4 * MiB }])).toEqual([false]);
    expect(trims([{ quiet: true, slackBytes: 80 * MiB }])).toEqual([true]);
  });

  it('tries again in the next quiet window when a trim left the slack (a young generation still grown)', () => {
    expect(trims([{ quiet: true, slackBytes: 48 * MiB }, { quiet: true, slackBytes: 33 * MiB }, { quiet: true, slackBytes: 2 * MiB }]))
      .toEqual([true, true, false]);
  });

  it('gives up on slack a quiet spell cannot give back, and tries again after the next busy spell', () => {
    const stuck = { quiet: true, slackBytes: 20 * MiB };
    const busy = { quiet: false, slackBytes: 60 * MiB };
    expect(trims([stuck, stuck, stuck, stuck, stuck, busy, stuck])).toEqual([true, true, true, false, false, false, true]);
  });

  it('trims again after a burst that followed a trim in a lull', () => {
    const lull = { quiet: true, slackBytes: 30 * MiB };
    const burst = { quiet: false, slackBytes: 90 * MiB };
    const after = { quiet: true, slackBytes: 90 * MiB };
    expect(trims([lull, burst, burst, after])).toEqual([true, false, false, true]);
  });
});
