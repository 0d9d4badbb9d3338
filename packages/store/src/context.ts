import type { Kysely } from '#kysely';
import type { DialectAdapter } from './dialect/adapter.js';
import type { ChangeFeed } from './change-feed.js';
import type { CreateClaims } from './create-claims.js';
import type { Database } from './schema.js';
import type { UnchangedReads } from './unchanged-reads.js';
import type { HeldRows, LeasedRow } from './repos/held-rows.js';
import type { ReadyRider } from './types.js';

/** What every repository module shares: the adapter, the clock and the local change feed. */
export interface StoreContext {
  adapter: DialectAdapter;
  db: Kysely<Database>;
  feed: ChangeFeed;
  now(): number;
  /** now() as an ISO string, for human-facing times. */
  iso(): string;
  /** The API's hottest reads, answered again while the database is unchanged (unchanged-reads.ts). */
  unchanged: UnchangedReads;
  /** Workers of this process that take instances as they are created (Store.claimOnCreate). */
  createClaims: CreateClaims;
  /** The rows this process's passes hold leases on (repos/held-rows.ts): kept by a claim, and by a create a worker took. */
  heldRows: HeldRows<LeasedRow>;
  /** The events watchers of this process want committed with an instance's Ready, by instance id (Store.rideOnReady). */
  readyRiders: Map<string, ReadyRider>;
}
