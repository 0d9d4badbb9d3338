import { describe, expect, it } from 'vitest';
import { startHeapTrim } from './heap-trim.js';

describe('startHeapTrim', () => {
  it('takes V8\'s gc for itself only: the process\'s globals stay as they were, and it stops', async () => {
    const before = typeof (globalThis as { gc?: unknown }).gc;
    const stop = startHeapTrim();
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe(before);
    await expect(stop()).resolves.toBeUndefined();
  });
});
