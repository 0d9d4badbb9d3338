import { InputError } from '@paved/model';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * The longest duration Paved takes (100 years): a time that far back is still a valid Date,
 * whereas `99999999999d` is not, and no log is kept longer.
 */
export const MAX_DURATION_MS = 36_500 * UNIT_MS.d;

/**
 * '30s', '10m', '2h', '7d' → milliseconds; undefined when `text` is not such a duration. The
 * result is not bounded: callers refuse or clamp what exceeds MAX_DURATION_MS.
 */
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
  if (ms !== undefined && ms > MAX_DURATION_MS) {
    throw new InputError(`${path} reaches back too far: at most 36500d (100 years) (got "${text}")`, {
      code: 'since_invalid',
      issues: [{ path, message: 'is longer than 36500d' }],
    });
  }
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
