import { WEEK_MS, weekStartOf, type MeasureWindow } from '@paved/store';
import { parseSince } from '../../logs/since.js';

/**
 * Time windows of the platform's measures (docs/metrics/README.md), shared by the products,
 * adoption and interventions capabilities and by feedback: a `since` window for snapshots, and
 * series of whole weeks (Monday 00:00 UTC) ending with the current one.
 */

/** Product analytics look at the requests of the last 30 days unless asked otherwise. */
export const DEFAULT_SINCE = '30d';
export const DEFAULT_WEEKS = 12;
export const MAX_WEEKS = 104;

/**
 * From `since` to now, now included (windows are half-open: `until` is the first ms after):
 * `since` is a duration back from now (7d, 12h) or an ISO 8601 time (InputError `since_invalid`).
 */
export function sinceWindow(since: string | undefined, now: number): MeasureWindow {
  return { since: Date.parse(parseSince(since ?? DEFAULT_SINCE, now)), until: now + 1 };
}

export interface Week {
  /** Epoch ms of its Monday 00:00 UTC. */
  start: number;
  /** Where the week's figures stop (exclusive): the next Monday, or just after now for the current week. */
  end: number;
}

/** The last `count` weeks, oldest first; the last one is the current week, ending now. */
export function lastWeeks(count: number, now: number): Week[] {
  const current = weekStartOf(now);
  return Array.from({ length: count }, (_, i) => {
    const start = current - (count - 1 - i) * WEEK_MS;
    return { start, end: Math.min(start + WEEK_MS, now + 1) };
  });
}

/** The window the weeks cover: from the first Monday to now. */
export function windowOf(weeks: readonly Week[]): MeasureWindow {
  return { since: weeks[0]!.start, until: weeks[weeks.length - 1]!.end };
}

/** YYYY-MM-DD of a week's Monday. */
export function weekLabel(start: number): string {
  return new Date(start).toISOString().slice(0, 10);
}

/** `part / whole`, absent when there is nothing to divide. */
export function share(part: number, whole: number): number | undefined {
  return whole > 0 ? part / whole : undefined;
}

/**
 * Nearest-rank percentile (the ceil(p·n/100)-th smallest) of values sorted ascending, in
 * integers as the store's SQL computes it for time to Ready.
 */
export function nearestRank(sorted: readonly number[], percent: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.max(1, Math.floor((percent * sorted.length + 99) / 100)) - 1];
}
