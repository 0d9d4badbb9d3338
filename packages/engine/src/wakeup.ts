import type { Clock } from './types.js';

const RUNG = 'rung';

/**
 * A level-triggered doorbell for the claim loop: ringing while nobody waits is remembered,
 * so a write that lands between "found nothing due" and "go to sleep" is never lost.
 */
export class Wakeup {
  #rung = false;
  #waiter: (() => void) | undefined;

  constructor(private readonly clock: Clock) {}

  ring(): void {
    this.#rung = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  /** Resolves when rung (now, if it was rung since the last wait) or after `ms` on the clock. */
  wait(ms: number): Promise<void> {
    if (this.#rung) {
      this.#rung = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const sleep = new AbortController();
      void this.clock.sleep(ms, sleep.signal).then(() => {
        this.#waiter = undefined;
        resolve();
      });
      this.#waiter = () => {
        this.#rung = false;
        // Ends the sleep, which resolves this wait. With a reason of its own: abort() without
        // one builds a DOMException and its stack, inside the write that rang (a create's request).
        sleep.abort(RUNG);
      };
    });
  }
}
