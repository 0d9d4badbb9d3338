import { InputError } from '@paved/model';

/**
 * The timestamps sources send, to epoch milliseconds, honouring their UTC offsets:
 *   2025-03-03T10:12:33+01:00   2025-03-03T09:12:33Z   2025-03-03T09:12:33.123Z   (ISO 8601, GitHub)
 *   2025-03-21 00:40:10 +0100   2016-08-12 15:23:28 UTC                         (GitLab)
 * A time without an offset is refused rather than guessed: reading it as UTC would shift every
 * deployment of a server in another zone (docs/metrics/dora.md, "Time zones", and its
 * comparison with Four Keys, which reads such times as UTC).
 */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)? ?(Z|UTC|[+-]\d{2}(?::?\d{2})?)$/i;

export function parseTimestamp(value: unknown, path: string): number {
  const parsed = typeof value === 'string' ? timestampMs(value.trim()) : undefined;
  if (parsed === undefined) {
    const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : value === undefined || value === null ? 'nothing' : typeof value;
    throw new InputError(`${path} must be a date-time with a UTC offset, such as 2025-03-03T10:12:33+01:00 (got ${shown})`, {
      code: 'timestamp_invalid',
      issues: [{ path, message: 'must be a date-time with a UTC offset (Z, +01:00, +0100 or UTC)' }],
    });
  }
  return parsed;
}

/** Like parseTimestamp, but absent (undefined or null) is allowed. */
export function optionalTimestamp(value: unknown, path: string): number | undefined {
  return value === undefined || value === null ? undefined : parseTimestamp(value, path);
}

function timestampMs(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 2025-02-30 over to March: refuse a day the month does not have.
  if (new Date(local).getUTCDate() !== day) return undefined;
  return local - offsetMs(m[8]!);
}

function offsetMs(zone: string): number {
  if (/^(z|utc)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}
