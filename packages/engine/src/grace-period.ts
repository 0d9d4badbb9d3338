import type { ProductManifest } from '@paved/model';

/** How long a previous credential keeps working when the plan says nothing. */
export const DEFAULT_GRACE_PERIOD_MS = 60 * 60_000;

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** '250ms', '30s', '5m', '1h' (the manifest schema's duration pattern) in milliseconds; undefined otherwise. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** The inverse of parseDuration, in the largest unit that is exact: 3_600_000 → '1h', 90_000 → '90s'. */
export function formatDuration(ms: number): string {
  const [unit, size] = Object.entries(UNITS).reverse().find(([, size]) => ms % size === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}

/**
 * The rotation grace period of `plan`: its `rotation.gracePeriod`, else one hour. The schema
 * already refused a malformed duration at publish time; one that slipped through falls back to
 * the default rather than revoking a credential at once.
 */
export function gracePeriodMs(manifest: ProductManifest, plan: string): number {
  const text = manifest.spec.plans[plan]?.rotation?.gracePeriod;
  return (text === undefined ? undefined : parseDuration(text)) ?? DEFAULT_GRACE_PERIOD_MS;
}
