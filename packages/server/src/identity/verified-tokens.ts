import type { Store, StoredPrincipal } from '@paved/store';

/** Entries kept at most; past that the cache starts again (a new epoch empties it anyway). */
const MAX_ENTRIES = 10_000;

/**
 * Principals found by token hash, kept while the store's auth epoch (Store.authEpoch, migration
 * 0022) stays what it was when they were read. Every request still asks the store: one
 * primary-key read of the epoch instead of the token, user, membership and team join, and a
 * token revoked, a user disabled or a membership removed — by this process, another one
 * sharing the PostgreSQL store, or by hand — moves the epoch in the same transaction, so the
 * next request reads afresh and is refused. Expiry is checked by the caller on every request.
 * Unknown hashes are not kept: a miss always asks the store.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, StoredPrincipal>();
  private epoch: number | undefined;

  constructor(private readonly store: Store) {}

  async find(hash: string): Promise<StoredPrincipal | undefined> {
    const epoch = await this.store.authEpoch();
    if (epoch !== this.epoch) {
      this.entries.clear();
      this.epoch = epoch;
    }
    const kept = this.entries.get(hash);
    if (kept !== undefined) return kept;
    const found = await this.store.findPrincipalByTokenHash(hash);
    // Kept only if nothing moved the epoch since it was read before this lookup: a lookup that
    // raced a revocation may have seen the old state, and must not outlive the new epoch.
    if (found !== undefined && this.epoch === epoch) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(hash, found);
    }
    return found;
  }
}
