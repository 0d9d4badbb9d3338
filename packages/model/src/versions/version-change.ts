/**
 * One difference between two versions of a product, named by its path in the manifest's spec
 * (`outputs.password`, `inputs.properties.size.maximum`). `breaking` when an instance, a
 * requester or a consumer of the outputs that worked with the older version can fail with the
 * newer one: such a change needs a new major version (docs/product-versions.md).
 */
export interface VersionChange {
  path: string;
  breaking: boolean;
  /** What changed, one line: `removed`, `lowered from 100 to 50`. */
  message: string;
}

/** The comparison of two published versions of one product (`paved products diff`). */
export interface VersionDiff {
  product: string;
  from: string;
  to: string;
  breaking: VersionChange[];
  nonBreaking: VersionChange[];
}

/** `outputs.password: removed`: how a change is named in messages and problem details. */
export function describeChange(change: VersionChange): string {
  return `${change.path}: ${change.message}`;
}
