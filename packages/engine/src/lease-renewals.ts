import type { Clock } from './types.js';

/** Why an idle renewal sleep ends; nobody reads it (a reason of our own: no DOMException and stack). */
const IDLE = new Error('no lease to renew');

/** What LeaseRenewals asks of a lease it keeps alive. */
export interface Renewable {
  renew(): void;
}

/**
 * The lease renewals of one engine's passes, on one sleep of the clock: each pass used to
 * sleep on its own, with a timer, two AbortControllers and an abort event a pass, about a
 * twentieth of the engine's CPU time at a few thousand passes a second (bench/README.md §3).
 * Each lease is renewed `every` ms after it was taken or last renewed, as before. One engine
 * has one lease length, so leases come due in the order they were added: the Map's order.
 */
export class LeaseRenewals {
  /** Lease → when it is next renewed, earliest first. */
  readonly #due = new Map<Renewable, number>();
  #sleeping: AbortController | undefined;

  constructor(
    private readonly clock: Clock,
    readonly every: number,
  ) {}

  add(lease: Renewable): void {
    this.#due.set(lease, this.clock.now() + this.every);
    if (this.#sleeping === undefined) void this.#run((this.#sleeping = new AbortController()));
  }

  remove(lease: Renewable): void {
    if (!this.#due.delete(lease) || this.#due.size > 0) return;
    // Nothing left to renew: no sleep outlives the last pass (a later add starts another).
    this.#sleeping?.abort(IDLE);
    this.#sleeping = undefined;
  }

  async #run(sleeping: AbortController): Promise<void> {
    for (;;) {
      const next = this.#due.values().next();
      if (next.done) return;
      await this.clock.sleep(next.value - this.clock.now(), sleeping.signal);
      if (sleeping.signal.aborted) return;
      const now = this.clock.now();
      const due: Renewable[] = [];
      for (const [lease, at] of this.#due) {
        if (at > now) break;
        due.push(lease);
      }
      for (const lease of due) {
        // To the back: renewed again `every` from now, after every lease already waiting.
        this.#due.delete(lease);
        this.#due.set(lease, now + this.every);
        lease.renew();
      }
    }
  }
}
