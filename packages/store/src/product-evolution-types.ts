import type { Deprecation, ProductRequest, RoadmapItem, RoadmapStatus } from '@paved/model';

/** Store functions of migration 0018 (docs/product-versions.md); part of Store. */
export interface ProductEvolutionStore {
  /** Deprecates a version (or, with `version` undefined, the whole product), replacing an earlier deprecation of it. */
  setDeprecation(deprecation: Omit<Deprecation, 'at'>): Promise<Deprecation>;
  /** Withdraws a deprecation; false when there was none. */
  removeDeprecation(product: string, version: string | undefined): Promise<boolean>;
  /** A product's deprecations (the whole product's first, then by version text); every product's when `product` is omitted. */
  listDeprecations(product?: string): Promise<Deprecation[]>;
  /** Live top-level instances of a product per team and version, by team name then version. */
  liveInstancesByTeamAndVersion(product: string): Promise<{ team: string; version: string; instances: number }[]>;

  addRoadmapItem(item: { product: string; title: string; status: RoadmapStatus; targetVersion?: string }): Promise<RoadmapItem>;
  /** Changes an item of `product`; undefined when it has no item `id`. `targetVersion: null` clears it. */
  updateRoadmapItem(product: string, id: number, change: { title?: string; status?: RoadmapStatus; targetVersion?: string | null }): Promise<RoadmapItem | undefined>;
  /** False when `product` has no item `id`. */
  removeRoadmapItem(product: string, id: number): Promise<boolean>;
  /** By id (the order the owner added them). */
  listRoadmap(product: string): Promise<RoadmapItem[]>;

  addProductRequest(request: { product: string; text: string; authorId: string }): Promise<ProductRequest>;
  /** One vote per user and request: 'already' when this user voted before; 'not-found' when `product` has no request `id`. */
  voteProductRequest(product: string, id: number, userId: string): Promise<'voted' | 'already' | 'not-found'>;
  /** Most votes first, then oldest first. */
  listProductRequests(product: string): Promise<ProductRequest[]>;
}
