/**
 * A level-triggered doorbell for the claim loop: ringing while nobody waits is remembered,
 * so a write that lands between "found nothing due" and "go to sleep" is never lost.
 */
export class Wakeup {
  #rung = false;
  #waiter: (() => void) | undefined;

  ring(): void {
    this.#rung = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  /** Resolves when rung (now, if it was rung since the last wait) or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.#rung) {
      this.#rung = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve();
      }, Math.max(0, ms));
      this.#waiter = () => {
        clearTimeout(timer);
        this.#rung = false;
        resolve();
      };
    });
  }
}
