import { InputError } from '@paved/model';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** '30s', '10m', '2h', '7d' → milliseconds; undefined when `text` is not such a duration. */
export function durationMs(text: string): number | undefined {
  const match = /^([1-9][0-9]*)([smhd])$/.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : undefined;
}

/**
 * `since` as an ISO time: a duration back from `now` (10m, 2h, 7d) or an ISO 8601 time.
 * Normalised with toISOString so it compares as text with the stored `at` values.
 */
export function parseSince(text: string, now: number, path = 'since'): string {
  const ms = durationMs(text);
  if (ms !== undefined) return new Date(now - ms).toISOString();
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new InputError(`${path} must be a duration such as 10m, 2h or 7d, or an ISO 8601 time (got "${text}")`, {
      code: 'since_invalid',
      issues: [{ path, message: 'is not a duration (10m, 2h, 7d) or an ISO 8601 time' }],
    });
  }
  return new Date(at).toISOString();
}
