import type { Deprecation, Team } from '@paved/model';
import type { Store, StoredPrincipal } from '@paved/store';
import type { EpochReads } from '../access/principal.js';

/** Entries kept at most, of each kind; past that the kind starts again (a new epoch empties them all anyway). */
const MAX_ENTRIES = 10_000;

/** A principal as kept: with what else its epoch vouches for, for the rest of its request. */
export type VerifiedPrincipal = StoredPrincipal & { reads: EpochReads };

/** The key of every product's deprecations (product names are never empty). */
const ALL_PRODUCTS = '';

/**
 * Principals found by token hash, kept while the store's auth epoch (Store.authEpoch, migrations
 * 0022 and 0024) stays what it was when they were read. Every request still asks the store: one
 * primary-key read of the epoch instead of the token, user, membership and team join, and a
 * token revoked, a user disabled, a membership removed or a team changed or deleted — by this
 * process, another one sharing the PostgreSQL store, or by hand — moves the epoch in the same
 * transaction, so the next request reads afresh and is refused. Expiry is checked by the caller
 * on every request. Unknown hashes are not kept: a miss always asks the store.
 *
 * Teams by name and product deprecations are kept the same way (VerifiedPrincipal.reads): every
 * team route's authorization looks its team up by name, the service behind it again, and every
 * instance answered shows its product's deprecation; the epoch read vouches for them. A team name
 * not found is not kept (creating a team does not move the epoch); a product without
 * deprecations is (setting one does).
 */
export class VerifiedTokens {
  private current: EpochSnapshot | undefined;

  constructor(private readonly store: Store) {}

  /**
   * The principal kept for `hash`, without a promise, when the store's auth epoch is known now
   * (Store.keptAuthEpoch: the same check of the database as `find`'s) and is this snapshot's;
   * undefined otherwise (then `find`). Most requests come with a token already verified. The
   * hash is made only once the epoch is known (never, on PostgreSQL, for a request's first read).
   */
  findKept(hashOf: () => string): VerifiedPrincipal | undefined {
    const epoch = this.store.keptAuthEpoch();
    return epoch !== undefined && this.current?.epoch === epoch ? this.current.principals.get(hashOf()) : undefined;
  }

  /**
   * The principal kept for `hash` and the auth epoch it was verified under, whatever the store's
   * epoch is now: the caller has the store confirm that epoch in the statement that relies on it
   * (Store.appendEventWhileAuthEpoch), and verifies with `find` when it has moved.
   */
  findKeptUnder(hash: string): { principal: VerifiedPrincipal; epoch: number } | undefined {
    const snapshot = this.current;
    const principal = snapshot?.principals.get(hash);
    return principal === undefined ? undefined : { principal, epoch: snapshot!.epoch };
  }

  async find(hash: string): Promise<VerifiedPrincipal | undefined> {
    const epoch = await this.store.authEpoch();
    if (this.current?.epoch !== epoch) this.current = new EpochSnapshot(epoch, this.store, (s) => s === this.current);
    const snapshot = this.current;
    const kept = snapshot.principals.get(hash);
    if (kept !== undefined) return kept;
    const found = await this.store.findPrincipalByTokenHash(hash);
    if (found === undefined) return undefined;
    const principal = { ...found, reads: snapshot.reads };
    // Kept only if nothing moved the epoch since it was read before this lookup: a lookup that
    // raced a revocation may have seen the old state, and must not outlive the new epoch.
    if (snapshot.isCurrent()) keep(snapshot.principals, hash, principal);
    return principal;
  }
}

/** What was read under one epoch; a new epoch starts a new snapshot, so nothing read before it is served after. */
class EpochSnapshot {
  readonly principals = new Map<string, VerifiedPrincipal>();
  readonly reads: EpochReads;
  readonly isCurrent: () => boolean;

  constructor(readonly epoch: number, store: Store, current: (snapshot: EpochSnapshot) => boolean) {
    this.isCurrent = () => current(this);
    const teams = new Map<string, Team>();
    const deprecations = new Map<string, Deprecation[]>();
    this.reads = {
      keptTeam: (name) => teams.get(name),
      team: async (name) => {
        const kept = teams.get(name);
        if (kept !== undefined) return kept;
        const found = await store.getTeam({ name });
        if (found !== undefined && this.isCurrent()) keep(teams, name, found);
        return found;
      },
      keptDeprecations: (product = ALL_PRODUCTS) => deprecations.get(product),
      deprecations: async (product = ALL_PRODUCTS) => {
        const kept = deprecations.get(product);
        if (kept !== undefined) return kept;
        const found = await store.listDeprecations(product === ALL_PRODUCTS ? undefined : product);
        if (this.isCurrent()) keep(deprecations, product, found);
        return found;
      },
    };
  }
}

function keep<V>(entries: Map<string, V>, key: string, value: V): void {
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(key, value);
}
