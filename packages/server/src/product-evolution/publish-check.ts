import { assertNoBreakingChange, type ProductManifest } from '@paved/model';
import type { Store } from '@paved/store';

/**
 * The breaking-change check of a publish (docs/product-versions.md#breaking-changes): a new
 * minor or patch version must not break from the previous release of its line. A version
 * already published is left to the store (identical: no-op; different: version_immutable).
 * Two publishers racing with two new versions of one line are each checked against what was
 * published before them; the check is advice to the owner team, who publish one at a time.
 */
export async function assertCompatibleWithPublished(store: Store, manifest: ProductManifest): Promise<void> {
  const published = await store.listProductVersions(manifest.metadata.name);
  if (published.some((v) => v.version === manifest.spec.version)) return;
  assertNoBreakingChange(manifest, published.map((v) => v.manifest));
}
