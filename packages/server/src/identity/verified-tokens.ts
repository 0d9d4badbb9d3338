import type { Team } from '@paved/model';
import type { Store, StoredPrincipal } from '@paved/store';
import type { TeamDirectory } from '../access/principal.js';

/** Entries kept at most, of each kind; past that the kind starts again (a new epoch empties both anyway). */
const MAX_ENTRIES = 10_000;

/** A principal as kept: with the teams as of the same epoch, for the authorization of its request. */
export type VerifiedPrincipal = StoredPrincipal & { teams: TeamDirectory };

/**
 * Principals found by token hash, and teams found by name, kept while the store's auth epoch
 * (Store.authEpoch, migration 0022) stays what it was when they were read. Every request still
 * asks the store: one primary-key read of the epoch instead of the token, user, membership and
 * team join, and a token revoked, a user disabled, a membership removed or a team changed or
 * deleted — by this process, another one sharing the PostgreSQL store, or by hand — moves the
 * epoch in the same transaction, so the next request reads afresh and is refused. Expiry is
 * checked by the caller on every request. Unknown hashes and team names are not kept: a miss
 * always asks the store (a team created since is found).
 *
 * Teams are kept with their epoch because the authorization of every team route looks its team
 * up by name (access/principal.ts teamFor), and the service behind it again: two reads a request
 * that the epoch read already vouches for.
 */
export class VerifiedTokens {
  private current: EpochSnapshot | undefined;

  constructor(private readonly store: Store) {}

  async find(hash: string): Promise<VerifiedPrincipal | undefined> {
    const epoch = await this.store.authEpoch();
    if (this.current?.epoch !== epoch) this.current = new EpochSnapshot(epoch, this.store, (s) => s === this.current);
    const snapshot = this.current;
    const kept = snapshot.principals.get(hash);
    if (kept !== undefined) return kept;
    const found = await this.store.findPrincipalByTokenHash(hash);
    if (found === undefined) return undefined;
    const principal = { ...found, teams: snapshot.teams };
    // Kept only if nothing moved the epoch since it was read before this lookup: a lookup that
    // raced a revocation may have seen the old state, and must not outlive the new epoch.
    if (snapshot.isCurrent()) keep(snapshot.principals, hash, principal);
    return principal;
  }
}

/** What was read under one epoch; a new epoch starts a new snapshot, so nothing read before it is served after. */
class EpochSnapshot {
  readonly principals = new Map<string, VerifiedPrincipal>();
  readonly teams: TeamDirectory;

  constructor(readonly epoch: number, store: Store, current: (snapshot: EpochSnapshot) => boolean) {
    const teams = new Map<string, Team>();
    this.isCurrent = () => current(this);
    this.teams = {
      byName: async (name) => {
        const kept = teams.get(name);
        if (kept !== undefined) return kept;
        const found = await store.getTeam({ name });
        if (found !== undefined && this.isCurrent()) keep(teams, name, found);
        return found;
      },
    };
  }

  readonly isCurrent: () => boolean;
}

function keep<V>(entries: Map<string, V>, key: string, value: V): void {
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(key, value);
}
