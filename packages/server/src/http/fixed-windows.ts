/** What one request found: its number in the key's window, and the ms until that window ends. */
export interface WindowCount {
  count: number;
  ttlMs: number;
}

/** Keys followed at most; past that the expired go, then the oldest (see FixedWindows). */
const DEFAULT_CAPACITY = 10_000;

/**
 * Requests counted per key in fixed windows, each starting at the key's first request after the
 * last one ended, in process memory. Synchronous, one Map look-up a request: @fastify/rate-limit
 * made each count three promises and an LRU update (≈ 3 % of the server's CPU under read load,
 * bench/README.md §2). Past `capacity` keys the expired windows are dropped, then the oldest
 * (a key forgotten starts a fresh window: too lenient for it, never too strict).
 */
export class FixedWindows {
  private readonly windows = new Map<string, { count: number; startMs: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly capacity = DEFAULT_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request of `key`. */
  take(key: string): WindowCount {
    const nowMs = this.now();
    let window = this.windows.get(key);
    if (window === undefined || window.startMs + this.windowMs <= nowMs) {
      if (window === undefined && this.windows.size >= this.capacity) this.makeRoom(nowMs);
      window = { count: 0, startMs: nowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, ttlMs: window.startMs + this.windowMs - nowMs };
  }

  /** What `take` last counted for `key` in its current window, counting nothing; undefined when it has none. */
  peek(key: string): WindowCount | undefined {
    const nowMs = this.now();
    const window = this.windows.get(key);
    if (window === undefined || window.startMs + this.windowMs <= nowMs) return undefined;
    return { count: window.count, ttlMs: window.startMs + this.windowMs - nowMs };
  }

  private makeRoom(nowMs: number): void {
    for (const [key, window] of this.windows) if (window.startMs + this.windowMs <= nowMs) this.windows.delete(key);
    if (this.windows.size < this.capacity) return;
    const oldest = this.windows.keys().next();
    if (!oldest.done) this.windows.delete(oldest.value);
  }
}
