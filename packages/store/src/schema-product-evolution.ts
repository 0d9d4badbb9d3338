import type { Generated } from '#kysely';

/** Tables of migration 0018 (docs/product-versions.md), kept apart from schema.ts so the capability reads in one place. */

export interface ProductDeprecationsTable {
  product: string;
  /** '' for the whole product. */
  version: string;
  /** YYYY-MM-DD (UTC): the last day new instances may be created. */
  sunset: string;
  reason: string;
  /** User name. */
  deprecated_by: string;
  deprecated_at: string;
}

export interface ProductRoadmapTable {
  id: Generated<number>;
  product: string;
  title: string;
  status: string;
  target_version: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProductRequestsTable {
  id: Generated<number>;
  product: string;
  text: string;
  author_id: string;
  /** Kept in step with product_request_votes in the vote's transaction, so listings sort by it. */
  votes: number;
  created_at: string;
}

export interface ProductRequestVotesTable {
  request_id: number;
  user_id: string;
  voted_at: string;
}
