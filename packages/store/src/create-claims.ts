import { randomUUID } from 'node:crypto';
import type { CreateClaimer } from './types.js';

/** The lease a new instance is inserted under, for the worker that asked for it. */
export interface CreateLease {
  claimer: CreateClaimer;
  token: string;
  expiresAt: number;
}

/**
 * Store.claimOnCreate's side in the store: the workers of this process that take instances as
 * they are created. A create inserts its row already leased to one of them (the lease columns
 * claimDue would set), so that worker's pass starts after the create's commit with no claim
 * transaction of its own, and no other worker, here or elsewhere, can claim it meanwhile.
 */
export class CreateClaims {
  readonly #claimers = new Set<CreateClaimer>();

  add(claimer: CreateClaimer): () => void {
    this.#claimers.add(claimer);
    return () => this.#claimers.delete(claimer);
  }

  /** Asked inside the create's transaction: the lease of the first worker that wants the instance, if any. */
  lease(now: number): CreateLease | undefined {
    for (const claimer of this.#claimers) {
      if (claimer.wants()) return { claimer, token: randomUUID(), expiresAt: now + claimer.leaseMs };
    }
    return undefined;
  }
}
