import type { Logger } from '@paved/driver-api';
import type { Store } from '@paved/store';
import type { Clock } from './types.js';

/** Why the renewals stop; nobody reads it. */
const PASS_ENDED = new Error('the pass ended');

/**
 * Keeps a claimed instance's lease alive while its pass runs: renews every leaseMs/3, so two
 * renewals can fail (a slow database) before the lease lapses. When a renewal says the lease
 * is gone, another worker may already be acting on the instance: abort the driver call
 * (ctx.signal) and let the pass drop everything without writing.
 */
export class LeaseKeeper {
  readonly #controller = new AbortController();
  readonly #stopped = new AbortController();
  #lost = false;

  constructor(
    private readonly store: Store,
    private readonly instanceId: string,
    readonly token: string,
    leaseMs: number,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    void this.#keep(leaseMs);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get lost(): boolean {
    return this.#lost;
  }

  /** Marks the lease as lost (a write came back 'lost-lease') and aborts the driver call. */
  markLost(): void {
    if (this.#lost) return;
    this.#lost = true;
    this.stop();
    this.#controller.abort(new Error(`lease on instance ${this.instanceId} was lost to another worker`));
  }

  /** Ends the renewals (the pass is over); runPass always calls it, so no timer outlives a pass. */
  stop(): void {
    // A reason of our own: without one, abort() builds a DOMException (and its stack) every pass.
    this.#stopped.abort(PASS_ENDED);
  }

  async #keep(leaseMs: number): Promise<void> {
    const every = Math.max(1, Math.floor(leaseMs / 3));
    for (;;) {
      await this.clock.sleep(every, this.#stopped.signal);
      if (this.#stopped.signal.aborted) return;
      // Not awaited: a renewal stuck on a slow database must not delay the next one.
      void this.#renew(leaseMs);
    }
  }

  async #renew(leaseMs: number): Promise<void> {
    if (this.#lost) return;
    try {
      const outcome = await this.store.renewLease(this.instanceId, this.token, leaseMs);
      // Once stopped, the pass's last write may have ended the lease itself (Pass.recordLast).
      if (outcome === 'lost-lease' && !this.#stopped.signal.aborted) {
        this.logger.warn({ instanceId: this.instanceId }, 'lease lost while reconciling; dropping the pass');
        this.markLost();
      }
    } catch (error) {
      // A failed renewal is not a lost lease: the next one may succeed, and the guarded
      // writes will say 'lost-lease' if it really lapsed.
      this.logger.warn({ instanceId: this.instanceId, err: error instanceof Error ? error.message : String(error) }, 'lease renewal failed');
    }
  }
}
