/**
 * Local days in an IANA time zone, with nothing but Node's Intl: the offset at an instant, the
 * instants where it changes, and the first instant of a local day. A local day is numbered
 * like a UTC one (days since 1970-01-01), so day arithmetic is integer arithmetic.
 */

export const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** local time − UTC at `ms`, in milliseconds (whole seconds). */
export function offsetAt(ms: number, zone: string): number {
  if (zone === 'UTC') return 0;
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(ms))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The local day number of an instant. */
export function localDay(ms: number, zone: string): number {
  return Math.floor((ms + offsetAt(ms, zone)) / DAY_MS);
}

/** The first instant of local day `day` (where a clock change skips midnight, the first instant that is that day). */
export function dayStart(day: number, zone: string): number {
  // Every zone's offset lies within ±18 h: search the instants around UTC midnight of that date.
  let low = day * DAY_MS - 19 * 3_600_000;
  let high = day * DAY_MS + 19 * 3_600_000;
  while (high - low > 1000) {
    const mid = low + Math.floor((high - low) / 2000) * 1000;
    if (localDay(mid, zone) >= day) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * [fromMs, toMs) cut where the offset changes: in each piece a deployment's local day is
 * floor((t + offsetMs) / 1 day), which the database computes. Offsets change a few times a year
 * at most; each change is found to the second by bisection after a day-by-day scan.
 */
export function offsetIntervals(fromMs: number, toMs: number, zone: string): { fromMs: number; toMs: number; offsetMs: number }[] {
  if (zone === 'UTC') return [{ fromMs, toMs, offsetMs: 0 }];
  const out: { fromMs: number; toMs: number; offsetMs: number }[] = [];
  let start = fromMs;
  let offset = offsetAt(fromMs, zone);
  for (let probe = fromMs; probe < toMs;) {
    const next = Math.min(probe + DAY_MS, toMs);
    const nextOffset = offsetAt(next === toMs ? toMs - 1 : next, zone);
    if (nextOffset !== offset) {
      let low = probe;
      let high = next === toMs ? toMs - 1 : next;
      while (high - low > 1000) {
        const mid = low + Math.floor((high - low) / 2000) * 1000;
        if (offsetAt(mid, zone) === offset) low = mid;
        else high = mid;
      }
      out.push({ fromMs: start, toMs: high, offsetMs: offset });
      start = high;
      offset = offsetAt(high, zone);
    }
    probe = next;
  }
  out.push({ fromMs: start, toMs, offsetMs: offset });
  return out;
}
