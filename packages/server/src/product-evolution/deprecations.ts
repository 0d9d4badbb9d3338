import {
  ConflictError, InputError, compareSemver, highestSemver, isPrerelease,
  type Deprecation, type InstanceDeprecation,
} from '@paved/model';

/**
 * Deprecation rules, pure (docs/product-versions.md#deprecation). A date is a UTC calendar day
 * (YYYY-MM-DD): the last day new instances may be created; from the day after it is "past".
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Today's UTC date as YYYY-MM-DD. */
export function todayOf(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** A real calendar date (not 2030-02-30), not before today; InputError naming `date` otherwise. */
export function assertDeprecationDate(date: string, now: number): string {
  const match = DATE_RE.exec(date);
  const parsed = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!parsed || parsed.toISOString().slice(0, 10) !== date) {
    throw new InputError(`date: "${date}" is not a calendar date; write it as YYYY-MM-DD`, { code: 'invalid_input', issues: [{ path: 'date', message: 'must be a date YYYY-MM-DD' }] });
  }
  const today = todayOf(now);
  if (date < today) {
    throw new InputError(`date: ${date} is in the past; give the users of it time to upgrade (today is ${today})`, {
      code: 'deprecation_date_past', issues: [{ path: 'date', message: `must be ${today} or later` }],
    });
  }
  return date;
}

export function isPastDate(date: string, now: number): boolean {
  return todayOf(now) > date;
}

/** The command that moves one instance to another version (built by `paved upgrade`). */
export function upgradeCommand(team: string, instance: string, version: string): string {
  return `paved upgrade ${instance} --to ${version} --team ${team}`;
}

/**
 * The deprecation that applies to an instance of `product` at `version`: its version's or the
 * whole product's, the one with the earlier date when both are set (the stricter deadline).
 */
export function deprecationOf(deprecations: readonly Deprecation[], product: string, version: string): Deprecation | undefined {
  return deprecations
    .filter((d) => d.product === product && (d.version === undefined || d.version === version))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))[0];
}

/**
 * Where an instance on `version` should go: the highest release above it that is not deprecated
 * itself. None when the whole product is deprecated (there is nowhere within it to go).
 */
export function upgradeTarget(deprecations: readonly Deprecation[], product: string, version: string, versions: readonly string[]): string | undefined {
  if (deprecations.some((d) => d.product === product && d.version === undefined)) return undefined;
  const deprecated = new Set(deprecations.filter((d) => d.product === product).map((d) => d.version));
  // A pre-release is never where Paved sends people by itself.
  return highestSemver(versions.filter((v) => !deprecated.has(v) && !isPrerelease(v) && compareSemver(v, version) > 0));
}

/** What the API shows on an instance of a deprecated version; undefined when it is not deprecated. */
export function instanceDeprecation(
  deprecations: readonly Deprecation[],
  instance: { teamName: string; name: string; product: string; productVersion: string },
  versions: readonly string[],
  now: number,
): InstanceDeprecation | undefined {
  const found = deprecationOf(deprecations, instance.product, instance.productVersion);
  if (!found) return undefined;
  const to = upgradeTarget(deprecations, instance.product, instance.productVersion, versions);
  return {
    ...(found.version === undefined ? {} : { version: found.version }),
    date: found.date,
    reason: found.reason,
    pastDate: isPastDate(found.date, now),
    ...(to === undefined ? {} : { upgradeTo: to, upgradeCommand: upgradeCommand(instance.teamName, instance.name, to) }),
  };
}

/**
 * Refuses a new instance (or a move) onto a version whose deprecation date has passed, naming
 * where to go instead.
 */
export function assertNotPastDeprecation(deprecations: readonly Deprecation[], product: string, version: string, versions: readonly string[], now: number): void {
  const found = deprecationOf(deprecations, product, version);
  if (!found || !isPastDate(found.date, now)) return;
  const to = upgradeTarget(deprecations, product, version, versions);
  const what = found.version === undefined ? `${product} was deprecated` : `${product} ${version} was deprecated`;
  const instead = to === undefined
    ? `${product} takes no new instances; ask its owner team what replaces it`
    : `ask for ${to} instead (paved create ${product} NAME --version ${to}); existing instances move with paved upgrade NAME --to ${to}`;
  throw new ConflictError(`${what} with a date of ${found.date} (${found.reason}): ${instead}`, {
    code: 'deprecation_date_passed',
    issues: [{ path: 'version', message: to === undefined ? `deprecated since ${found.date}` : `deprecated since ${found.date}; use ${to}` }],
  });
}

/**
 * The same refusal for several instances about to be created (a workload's resources), checked
 * all before any is: an apply either creates them all or none.
 */
export async function assertNonePastDeprecation(
  store: { listDeprecations(product?: string): Promise<Deprecation[]>; listProductVersions(product: string): Promise<{ version: string }[]> },
  wanted: readonly { product: string; version: string }[],
  now: number,
): Promise<void> {
  if (wanted.length === 0) return;
  const deprecations = await store.listDeprecations();
  for (const { product, version } of wanted) {
    if (!deprecations.some((d) => d.product === product)) continue;
    const versions = (await store.listProductVersions(product)).map((v) => v.version);
    assertNotPastDeprecation(deprecations, product, version, versions, now);
  }
}
