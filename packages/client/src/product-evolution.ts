import type { ChangelogEntry, Deprecation, ProductRequest, RoadmapItem, RoadmapStatus, VersionDiff } from '@paved/model';
import type { Transport } from './transport.js';

const seg = encodeURIComponent;
const productPath = (product: string) => `/api/v1/products/${seg(product)}`;
const deprecationPath = (product: string, version?: string) =>
  version === undefined ? `${productPath(product)}/deprecation` : `${productPath(product)}/versions/${seg(version)}/deprecation`;

/** A product over time (docs/product-versions.md): diff, changelog, deprecations, roadmap, requests and votes. */
export interface ProductEvolutionClient {
  diffProductVersions(product: string, from: string, to: string): Promise<VersionDiff>;
  getProductChangelog(product: string): Promise<{ items: ChangelogEntry[] }>;
  listProductDeprecations(product: string): Promise<{ items: Deprecation[] }>;
  /** Without `version`: the whole product. */
  deprecateProduct(product: string, request: { date: string; reason: string }, version?: string): Promise<Deprecation>;
  undeprecateProduct(product: string, version?: string): Promise<void>;
  getProductRoadmap(product: string): Promise<{ items: RoadmapItem[] }>;
  addRoadmapItem(product: string, request: { title: string; status?: RoadmapStatus; targetVersion?: string }): Promise<RoadmapItem>;
  changeRoadmapItem(product: string, id: number, change: { title?: string; status?: RoadmapStatus; targetVersion?: string | null }): Promise<RoadmapItem>;
  removeRoadmapItem(product: string, id: number): Promise<void>;
  listProductRequests(product: string): Promise<{ items: ProductRequest[] }>;
  addProductRequest(product: string, text: string): Promise<ProductRequest>;
  voteProductRequest(product: string, id: number): Promise<ProductRequest>;
}

export function productEvolutionClient(http: Transport): ProductEvolutionClient {
  return {
    diffProductVersions: (product, from, to) => http.json('GET', `${productPath(product)}/diff`, { query: { from, to } }),
    getProductChangelog: (product) => http.json('GET', `${productPath(product)}/changelog`),
    listProductDeprecations: (product) => http.json('GET', `${productPath(product)}/deprecations`),
    deprecateProduct: (product, request, version) => http.json('PUT', deprecationPath(product, version), { body: request }),
    undeprecateProduct: async (product, version) => {
      await http.json('DELETE', deprecationPath(product, version));
    },
    getProductRoadmap: (product) => http.json('GET', `${productPath(product)}/roadmap`),
    addRoadmapItem: (product, request) => http.json('POST', `${productPath(product)}/roadmap`, { body: request }),
    changeRoadmapItem: (product, id, change) => http.json('PATCH', `${productPath(product)}/roadmap/${id}`, { body: change }),
    removeRoadmapItem: async (product, id) => {
      await http.json('DELETE', `${productPath(product)}/roadmap/${id}`);
    },
    listProductRequests: (product) => http.json('GET', `${productPath(product)}/requests`),
    addProductRequest: (product, text) => http.json('POST', `${productPath(product)}/requests`, { body: { text } }),
    voteProductRequest: (product, id) => http.json('POST', `${productPath(product)}/requests/${id}/votes`),
  };
}
