import type { ProductVersion } from '../types.js';

export type ScoreTypeMatch = { product: ProductVersion } | { ambiguous: string[] } | undefined;

/**
 * The product a Score resource `type` maps to: the product of that name, else the one product
 * whose `spec.score.types` lists it (a platform team's mapping, e.g. mongodb → its own
 * script-driven product). Two products claiming one type is the platform's mistake: reported
 * as ambiguous, never settled by chance.
 */
export function productForScoreType(type: string, products: Iterable<ProductVersion>): ScoreTypeMatch {
  const all = [...products];
  const named = all.find((p) => p.name === type);
  if (named) return { product: named };
  const claiming = all.filter((p) => p.manifest.spec.score?.types?.includes(type));
  if (claiming.length === 1) return { product: claiming[0]! };
  if (claiming.length > 1) return { ambiguous: claiming.map((p) => p.name).sort() };
  return undefined;
}

/** Every Score type the products serve: their names and the types they declare, sorted. */
export function scoreTypesServed(products: Iterable<ProductVersion>): string[] {
  const types = new Set<string>();
  for (const product of products) {
    types.add(product.name);
    for (const type of product.manifest.spec.score?.types ?? []) types.add(type);
  }
  return [...types].sort();
}
