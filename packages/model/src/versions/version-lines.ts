import { ConflictError } from '../errors.js';
import type { ProductManifest } from '../types.js';
import { compareSemver, highestSemver, parseSemver } from '../semver.js';
import { diffProductVersions } from './product-diff.js';
import { describeChange, type VersionDiff } from './version-change.js';

/**
 * Which versions of a product a new one must stay compatible with, and which one is "latest".
 * Semver's promise (semver.org §4, §8, §9): within a major version nothing breaks; 0.y.z may
 * change anything, so Paved treats each 0.y as its own line (as Cargo and npm's caret do);
 * a pre-release promises nothing, so it is never a baseline and never latest by default.
 */

export function isPrerelease(version: string): boolean {
  return (parseSemver(version)?.prerelease.length ?? 0) > 0;
}

/** The compatibility line of a version: `1` for 1.4.2, `0.3` for 0.3.1. */
export function compatibilityLine(version: string): string {
  const v = parseSemver(version);
  if (!v) throw new TypeError(`not a semantic version: ${JSON.stringify(version)}`);
  return v.major === 0 ? `0.${v.minor}` : String(v.major);
}

/** The first version of the next line: what a breaking version of `version` should be called. */
export function nextBreakingVersion(version: string): string {
  const v = parseSemver(version);
  if (!v) throw new TypeError(`not a semantic version: ${JSON.stringify(version)}`);
  return v.major === 0 ? `0.${v.minor + 1}.0` : `${v.major + 1}.0.0`;
}

/**
 * The version a request without one gets: the highest release. Pre-releases are taken only when
 * asked for by version, except by a product that has nothing else yet (so its first beta can be
 * tried without knowing its exact version). Undefined for none.
 */
export function latestVersionOf(versions: readonly string[]): string | undefined {
  return highestSemver(versions.filter((v) => !isPrerelease(v))) ?? highestSemver(versions);
}

/** The versions `candidate` is compared with on publish (docs/product-versions.md#breaking-changes). */
export interface PublishBaselines {
  /** The highest release below the candidate, in any line (shown; breaks against another line are allowed). */
  highestEarlier?: ProductManifest;
  /** The highest release below the candidate in its own line: it must not break from it. */
  previousInLine?: ProductManifest;
  /** The lowest release above the candidate in its own line (a version published into the middle of a line): it must not break from the candidate. */
  nextInLine?: ProductManifest;
}

export function publishBaselines(candidate: string, published: readonly ProductManifest[]): PublishBaselines {
  const line = compatibilityLine(candidate);
  const releases = published
    .filter((m) => !isPrerelease(m.spec.version) && m.spec.version !== candidate)
    .sort((a, b) => compareSemver(a.spec.version, b.spec.version));
  const below = releases.filter((m) => compareSemver(m.spec.version, candidate) < 0);
  const above = releases.filter((m) => compareSemver(m.spec.version, candidate) > 0 && compatibilityLine(m.spec.version) === line);
  const inLine = below.filter((m) => compatibilityLine(m.spec.version) === line);
  return {
    ...(below.length > 0 ? { highestEarlier: below[below.length - 1] } : {}),
    ...(inLine.length > 0 ? { previousInLine: inLine[inLine.length - 1] } : {}),
    ...(above.length > 0 && !isPrerelease(candidate) ? { nextInLine: above[0] } : {}),
  };
}

/**
 * Refuses a candidate version that breaks compatibility within its line, naming every break by
 * path. `published` are the product's versions already in the catalog (any order).
 */
export function assertNoBreakingChange(candidate: ProductManifest, published: readonly ProductManifest[]): void {
  const { version } = candidate.spec;
  const { previousInLine, nextInLine } = publishBaselines(version, published);
  const broken: VersionDiff[] = [];
  if (previousInLine) broken.push(diffProductVersions(previousInLine, candidate));
  if (nextInLine) broken.push(diffProductVersions(candidate, nextInLine));
  const failing = broken.filter((d) => d.breaking.length > 0);
  if (failing.length === 0) return;
  const what = failing
    .map((d) => `${d.to === version ? `against ${d.from}` : `${d.to} (already published) against it`}: ${d.breaking.map(describeChange).join('; ')}`)
    .join(' — ');
  const name = candidate.metadata.name;
  const line = compatibilityLine(version);
  throw new ConflictError(
    `${name} ${version} has breaking changes, which need a new major version (publish it as ${nextBreakingVersion(version)}; see paved products diff ${name}) — ${what}`,
    {
      code: 'breaking_change',
      issues: failing.flatMap((d) => d.breaking.map((c) => ({ path: c.path, message: `${c.message} (${d.from} → ${d.to}, line ${line}.x)` }))),
    },
  );
}
