import { COMPOSITE_DRIVER, resolvePlan, type ProductVersion } from '@paved/model';
import type { QuotaClaim, Store } from '@paved/store';

/** Deeper nesting than this is not followed (publish checks refuse cycles; this guards the rest). */
const MAX_DEPTH = 8;

/**
 * The quotas one new instance counts against: its own product and plan, and, for a composite,
 * each part's product and plan, as many times as it has such parts (nested composites
 * followed). A composite of three large databases claims three large databases, so a quota of
 * two refuses it. A part names its version or takes the latest, as the engine will when it
 * creates it; a part whose product is not published claims nothing here (the engine reports it).
 */
export async function quotaClaims(store: Store, product: ProductVersion, plan: string, depth = 0): Promise<QuotaClaim[]> {
  const claims: QuotaClaim[] = [];
  const perTeam = product.manifest.spec.plans[plan]?.quota?.perTeam;
  if (perTeam !== undefined) claims.push({ product: product.name, plan, max: perTeam, adding: 1 });
  if (product.manifest.spec.driver !== COMPOSITE_DRIVER || depth >= MAX_DEPTH) return claims;
  for (const include of product.manifest.spec.includes ?? []) {
    const part = await store.getProductVersion(include.product, include.version);
    if (part === undefined) continue;
    let partPlan: string;
    try {
      partPlan = resolvePlan(part.manifest, include.plan);
    } catch {
      continue; // the engine reports a part plan that no longer exists, naming the part
    }
    claims.push(...(await quotaClaims(store, part, partPlan, depth + 1)));
  }
  return merge(claims);
}

function merge(claims: readonly QuotaClaim[]): QuotaClaim[] {
  const merged = new Map<string, QuotaClaim>();
  for (const claim of claims) {
    const key = `${claim.product}\u0000${claim.plan}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, adding: seen.adding + claim.adding, max: Math.min(seen.max, claim.max) } : { ...claim });
  }
  return [...merged.values()];
}
