import type { Target } from '@paved/driver-api';

interface Lane {
  running: number;
  waiting: Array<() => void>;
}

/**
 * Caps the driver mutations (create, update, rotate, revoke, deletion steps) running at once
 * per target in this process at `target.concurrency` (no cap when unset). The rest wait in
 * FIFO order instead of failing: a target like PostgreSQL serialises CREATE DATABASE anyway,
 * and piling on only turns slow calls into timeouts.
 */
export class TargetGate {
  readonly #lanes = new Map<string, Lane>();

  async run<T>(target: Target, work: () => Promise<T>): Promise<T> {
    const limit = target.concurrency;
    if (limit === undefined || limit <= 0) return work();
    const lane = this.#lane(target.name);
    if (lane.running >= limit) {
      await new Promise<void>((resolve) => lane.waiting.push(resolve));
    } else {
      lane.running++;
    }
    try {
      return await work();
    } finally {
      const next = lane.waiting.shift();
      // Hand the slot straight to the next waiter, so `running` never drops below the limit
      // while someone waits (no window for a newcomer to jump the queue).
      if (next !== undefined) next();
      else lane.running--;
    }
  }

  /** How many mutations run on `targetName` now (for tests and metrics). */
  running(targetName: string): number {
    return this.#lanes.get(targetName)?.running ?? 0;
  }

  #lane(name: string): Lane {
    let lane = this.#lanes.get(name);
    if (lane === undefined) {
      lane = { running: 0, waiting: [] };
      this.#lanes.set(name, lane);
    }
    return lane;
  }
}
