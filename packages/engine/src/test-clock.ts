/**
 * Test-only (excluded from the build): a clock that moves only when a test moves it. The
 * engine and the store share one, so lease expiry, backoff, grace periods and the claim loop's
 * idle sleep happen exactly when the test says, never by the luck of the scheduler.
 */
import type { Clock } from './types.js';

interface Sleeper {
  at: number;
  wake(): void;
}

export class ManualClock implements Clock {
  #now: number;
  readonly #sleepers = new Set<Sleeper>();
  readonly #watchers = new Set<() => void>();

  constructor(start = Date.parse('2025-01-01T00:00:00.000Z')) {
    this.#now = start;
  }

  /** Bound, so it can be handed to the store as its `now`. */
  readonly now = (): number => this.#now;

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        at: this.#now + ms,
        wake: () => {
          this.#sleepers.delete(sleeper);
          signal?.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      signal?.addEventListener('abort', sleeper.wake, { once: true });
      this.#sleepers.add(sleeper);
      for (const watcher of this.#watchers) watcher();
    });
  }

  /** Moves time forward by `ms` and wakes, earliest first, everyone whose sleep is over. */
  advance(ms: number): void {
    this.#now += ms;
    const due = [...this.#sleepers].filter((sleeper) => sleeper.at <= this.#now).sort((a, b) => a.at - b.at);
    for (const sleeper of due) sleeper.wake();
  }

  /**
   * Moves time forward without waking anyone: a process frozen for `ms` (a long GC pause, a
   * stopped VM). Its overdue sleepers wake on the next `advance`, as late timers would.
   */
  stall(ms: number): void {
    this.#now += ms;
  }

  /** How many sleeps are pending. */
  get sleeping(): number {
    return this.#sleepers.size;
  }

  /** Resolves once at least `count` sleeps are pending (e.g. the claim loop went idle). */
  whenSleeping(count = 1): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.#sleepers.size < count) return;
        this.#watchers.delete(check);
        resolve();
      };
      this.#watchers.add(check);
      check();
    });
  }
}
