/**
 * The rows this process's passes hold leases on, as their last write (or the claim) left them:
 * a pass's status write first updates its row on the guess that nothing changed it since,
 * guarded by the lease and the status hash in the same statement (engine-queue.ts), instead of
 * reading the row under a lock first (two reads a pass: a statement each on SQLite, a round
 * trip each on PostgreSQL). Only a hint: a guess that no longer holds changes no row, and the
 * write then reads the row as it always did. Kept per instance for the lease that took it.
 */
export class HeldRows<R> {
  readonly #rows = new Map<string, { leaseToken: string; row: R }>();

  /** A pass that crashed in this process (a failpoint) never ends its lease: the hints stay bounded. */
  static readonly LIMIT = 10_000;

  get(id: string, leaseToken: string): R | undefined {
    const held = this.#rows.get(id);
    return held?.leaseToken === leaseToken ? held.row : undefined;
  }

  keep(id: string, leaseToken: string, row: R): void {
    if (this.#rows.size >= HeldRows.LIMIT && !this.#rows.has(id)) this.#rows.clear();
    this.#rows.set(id, { leaseToken, row });
  }

  forget(id: string): void {
    this.#rows.delete(id);
  }
}
