/** Product versions: comparing two of them, which one is latest, the breaking-change check on publish, and what an owner tells users. */
export { diffInputSchema } from './input-schema-diff.js';
export { diffProductVersions } from './product-diff.js';
export { describeChange, type VersionChange, type VersionDiff } from './version-change.js';
export {
  assertNoBreakingChange, compatibilityLine, isPrerelease, latestVersionOf, nextBreakingVersion, publishBaselines, type PublishBaselines,
} from './version-lines.js';
export * from './evolution.js';
