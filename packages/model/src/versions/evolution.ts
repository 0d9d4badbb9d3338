/**
 * What a product's owner tells its users about where it is going (docs/product-versions.md):
 * deprecations with a date, a roadmap, and the requests users make and vote on. Shared by the
 * store, the API and the CLI.
 */

/** A version, or the whole product (no `version`), deprecated until `date` (YYYY-MM-DD, UTC). */
export interface Deprecation {
  product: string;
  version?: string;
  /** The last day new instances may be created (UTC); from the day after, they are refused. */
  date: string;
  reason: string;
  /** The user who deprecated it. */
  by: string;
  at: string;
}

/** What an instance on a deprecated version carries in the API (and `paved get` / `paved list` show). */
export interface InstanceDeprecation {
  /** The deprecated version; absent when the whole product is deprecated. */
  version?: string;
  date: string;
  reason: string;
  /** True from the day after `date`: new instances of it are refused. */
  pastDate: boolean;
  /** The newest version that is not deprecated, when there is one above the instance's. */
  upgradeTo?: string;
  /** The command that moves the instance to `upgradeTo`. */
  upgradeCommand?: string;
}

export const ROADMAP_STATUSES = ['planned', 'in-progress', 'shipped'] as const;
export type RoadmapStatus = (typeof ROADMAP_STATUSES)[number];

export interface RoadmapItem {
  id: number;
  product: string;
  title: string;
  status: RoadmapStatus;
  targetVersion?: string;
  createdAt: string;
  updatedAt: string;
}

/** Something a developer asked of a product, with the votes it has. */
export interface ProductRequest {
  id: number;
  product: string;
  text: string;
  /** The name of the user who asked. */
  author: string;
  votes: number;
  createdAt: string;
}

/** A version's changelog entry (`spec.changelog` of its manifest). */
export interface ChangelogEntry {
  version: string;
  publishedAt: string;
  changelog?: string;
}

/** One team's live instances on a deprecated version or product (product analytics: who still has to move). */
export interface DeprecatedUse {
  team: string;
  instances: number;
  /** The deprecated versions they are on, oldest first. */
  versions: string[];
  /** The earliest deprecation date among them. */
  date: string;
}
