import { describe, expect, it } from 'vitest';
import { FixedWindows } from './fixed-windows.js';

describe('FixedWindows', () => {
  it('counts each key in a window from its first request, and starts a new one when it is over', () => {
    let now = 1_000;
    const windows = new FixedWindows(60_000, 10, () => now);
    expect(windows.take('a')).toEqual({ count: 1, ttlMs: 60_000 });
    now += 10_000;
    expect(windows.take('a')).toEqual({ count: 2, ttlMs: 50_000 });
    expect(windows.take('b')).toEqual({ count: 1, ttlMs: 60_000 });
    now += 50_000;
    expect(windows.take('a')).toEqual({ count: 1, ttlMs: 60_000 });
    expect(windows.take('b')).toEqual({ count: 2, ttlMs: 10_000 });
  });

  it('peeks at a key\'s current window without counting, and has none once it is over', () => {
    let now = 0;
    const windows = new FixedWindows(100, 10, () => now);
    expect(windows.peek('a')).toBeUndefined();
    windows.take('a');
    windows.take('a');
    now = 30;
    expect(windows.peek('a')).toEqual({ count: 2, ttlMs: 70 });
    expect(windows.peek('a')).toEqual({ count: 2, ttlMs: 70 });
    now = 100;
    expect(windows.peek('a')).toBeUndefined();
    expect(windows.take('a')).toEqual({ count: 1, ttlMs: 100 });
  });

  it('keeps at most its capacity: the expired go first, then the oldest', () => {
    let now = 0;
    const windows = new FixedWindows(100, 2, () => now);
    windows.take('old');
    now = 50;
    windows.take('kept');
    windows.take('kept');
    now = 120;
    // 'old' expired: it makes room, 'kept' keeps its count.
    windows.take('new');
    expect(windows.take('kept').count).toBe(3);
    // Nothing expired: the oldest ('kept') is forgotten and starts again.
    windows.take('newer');
    expect(windows.take('kept').count).toBe(1);
  });
});
