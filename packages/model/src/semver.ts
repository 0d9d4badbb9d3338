/**
 * A small semantic versioning implementation (semver.org 2.0.0): enough to validate product
 * versions and order them. Hand-written rather than a dependency because it is 60 lines, and
 * the one implementation: the manifest schema, the store and the API all use it, so a version
 * the schema rejects (`v1.2.3`) is not a version anywhere.
 */

/** The regular expression recommended by semver.org, anchored. Also used by the manifest's JSON Schema. */
export const SEMVER_PATTERN =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)' +
  '(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?' +
  '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';
const semverRe = new RegExp(SEMVER_PATTERN);

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Dot-separated identifiers after '-'; empty for a release. */
  prerelease: string[];
  /** Build metadata after '+'; ignored by precedence. */
  build: string[];
}

export function isSemver(value: unknown): value is string {
  return typeof value === 'string' && semverRe.test(value);
}

/** Parses `MAJOR.MINOR.PATCH[-prerelease][+build]`; undefined when `value` is not one. */
export function parseSemver(value: string): SemVer | undefined {
  const match = semverRe.exec(value);
  if (!match) return undefined;
  const [, major, minor, patch, prerelease, build] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    prerelease: prerelease ? prerelease.split('.') : [],
    build: build ? build.split('.') : [],
  };
}

/**
 * Orders two versions by semver precedence: negative when a < b, 0 when equal (build metadata
 * is ignored, so 1.0.0+a equals 1.0.0+b), positive when a > b. Throws TypeError for a value
 * that is not a version: sorting garbage silently would hide a bug.
 */
export function compareSemver(a: string, b: string): number {
  const left = parseSemver(a);
  const right = parseSemver(b);
  if (!left) throw new TypeError(`not a semantic version: ${JSON.stringify(a)}`);
  if (!right) throw new TypeError(`not a semantic version: ${JSON.stringify(b)}`);
  return (
    compareNumbers(left.major, right.major) ||
    compareNumbers(left.minor, right.minor) ||
    compareNumbers(left.patch, right.patch) ||
    comparePrerelease(left.prerelease, right.prerelease)
  );
}

/**
 * A total order over distinct versions: semver precedence, then (for versions that differ only
 * in build metadata, which precedence ignores) their text. Sorting with it gives one order.
 */
export function compareSemverTotal(a: string, b: string): number {
  return compareSemver(a, b) || (a === b ? 0 : a < b ? -1 : 1);
}

/** The highest of `versions` by `compareSemverTotal`; undefined for none. Throws TypeError for a value that is not a version. */
export function highestSemver(versions: readonly string[]): string | undefined {
  return versions.reduce<string | undefined>((best, v) => (best === undefined || compareSemverTotal(v, best) > 0 ? v : best), undefined);
}

function compareNumbers(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** A release ranks above any of its pre-releases; identifiers compare left to right. */
function comparePrerelease(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return compareNumbers(b.length, a.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = compareIdentifier(a[i]!, b[i]!);
    if (order !== 0) return order;
  }
  return compareNumbers(a.length, b.length);
}

const numericRe = /^\d+$/;

/** Numeric identifiers compare as numbers and rank below alphanumeric ones, which compare in ASCII order. */
function compareIdentifier(a: string, b: string): number {
  const aNumeric = numericRe.test(a);
  const bNumeric = numericRe.test(b);
  if (aNumeric && bNumeric) return compareNumbers(Number(a), Number(b));
  if (aNumeric) return -1;
  if (bNumeric) return 1;
  return a === b ? 0 : a < b ? -1 : 1;
}
