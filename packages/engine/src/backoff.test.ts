import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const options = { baseMs: 500, maxMs: 60_000 };
const almostOne = () => 0.999_999_9;

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt, starting at baseMs', () => {
    expect(backoffDelay(1, options, almostOne)).toBe(499);
    expect(backoffDelay(2, options, almostOne)).toBe(999);
    expect(backoffDelay(3, options, almostOne)).toBe(1999);
    expect(backoffDelay(5, options, almostOne)).toBe(7999);
  });

  it('never exceeds maxMs, even for huge attempt counts', () => {
    expect(backoffDelay(8, options, almostOne)).toBe(59_999);
    expect(backoffDelay(10_000, options, almostOne)).toBe(59_999);
  });

  it('uses full jitter: the draw scales the whole ceiling', () => {
    expect(backoffDelay(4, options, () => 0)).toBe(0);
    expect(backoffDelay(4, options, () => 0.5)).toBe(2000);
  });

  it('spreads a burst of retries over the window', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(6, options));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(16_000);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });

  it('treats attempts below 1 as the first retry', () => {
    expect(backoffDelay(0, options, almostOne)).toBe(499);
  });
});
