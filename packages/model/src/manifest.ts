/**
 * Product manifests (docs/product-manifest.md): the schema, parsing with errors an author
 * can act on, digests, plans and the requester's inputs. One concept per file; this is the face.
 */
export { productManifestSchema, PRODUCT_API_VERSION } from './manifest-schema.js';
export { parseProductManifest } from './manifest-parse.js';
export { parseManifestDocuments, parseProductManifestsFromText, yamlLineOf } from './manifest-documents.js';
export { canonicalJson, manifestDigest } from './manifest-digest.js';
export { defaultPlan, resolvePlan, secretOutputNames } from './manifest-plans.js';
export { resolveInstanceValues, validateInputs } from './inputs.js';
export { compareSemver, compareSemverTotal, highestSemver, isSemver, parseSemver, SEMVER_PATTERN, type SemVer } from './semver.js';
export { exampleProductManifest } from './manifest-example.js';
export { assertChecksOffered } from './manifest-checks.js';
