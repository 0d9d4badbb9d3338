import type { Logger } from '@paved/driver-api';
import type { Store } from '@paved/store';
import type { LeaseRenewals, Renewable } from './lease-renewals.js';

/**
 * Keeps a claimed instance's lease alive while its pass runs: renewed every leaseMs/3 (by the
 * engine's LeaseRenewals), so two renewals can fail (a slow database) before the lease lapses.
 * When a renewal says the lease is gone, another worker may already be acting on the instance:
 * abort the driver call (ctx.signal) and let the pass drop everything without writing.
 */
export class LeaseKeeper implements Renewable {
  readonly #controller = new AbortController();
  #stopped = false;
  #lost = false;

  constructor(
    private readonly store: Store,
    private readonly instanceId: string,
    readonly token: string,
    private readonly leaseMs: number,
    private readonly logger: Logger,
    private readonly renewals: LeaseRenewals,
  ) {
    renewals.add(this);
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
    if (this.#stopped) return;
    this.#stopped = true;
    this.renewals.remove(this);
  }

  /** Called by the renewals every leaseMs/3; not awaited there: a renewal stuck on a slow database must not delay the next one. */
  renew(): void {
    void this.#renew();
  }

  async #renew(): Promise<void> {
    if (this.#lost) return;
    try {
      const outcome = await this.store.renewLease(this.instanceId, this.token, this.leaseMs);
      // Once stopped, the pass's last write may have ended the lease itself (Pass.recordLast).
      if (outcome === 'lost-lease' && !this.#stopped) {
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
