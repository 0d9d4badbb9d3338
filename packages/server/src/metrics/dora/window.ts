import { InputError } from '@paved/model';
import { DAY_MS, dayStart, offsetIntervals } from './timezone.js';

/**
 * The window of a report: whole local days from `from` to `to`, both included, in the
 * configured time zone (UTC unless set). Weeks run Monday to Sunday; months are calendar
 * months; a week or month only partly inside the window counts with the days it has there,
 * as in DevLake's dashboards.
 */
export interface DoraWindow {
  from: string;
  to: string;
  timeZone: string;
  /** Local day numbers (days since 1970-01-01), inclusive. */
  fromDay: number;
  toDay: number;
  fromMs: number;
  /** Exclusive: the first instant after the last day. */
  toMs: number;
  offsets: { fromMs: number; toMs: number; offsetMs: number }[];
}

/** Longest window: three years of days (a report groups them in weeks and months in memory). */
export const MAX_WINDOW_DAYS = 1100;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function dayOf(date: string, field: 'from' | 'to'): number {
  const m = DATE.exec(date);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(m[3]) || Number(m[2]) > 12) {
    throw new InputError(`${field} must be a date such as 2025-03-03 (got "${date}")`, { code: 'date_invalid', issues: [{ path: field, message: 'must be a date YYYY-MM-DD' }] });
  }
  return ms / DAY_MS;
}

export function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function doraWindow(from: string, to: string, timeZone: string): DoraWindow {
  const fromDay = dayOf(from, 'from');
  const toDay = dayOf(to, 'to');
  if (toDay < fromDay) {
    throw new InputError(`to (${to}) is before from (${from})`, { code: 'window_invalid', issues: [{ path: 'to', message: 'must not be before from' }] });
  }
  if (toDay - fromDay + 1 > MAX_WINDOW_DAYS) {
    throw new InputError(`The window has ${toDay - fromDay + 1} days; at most ${MAX_WINDOW_DAYS} are allowed`, { code: 'window_invalid', issues: [{ path: 'from', message: `at most ${MAX_WINDOW_DAYS} days before to` }] });
  }
  const fromMs = dayStart(fromDay, timeZone);
  const toMs = dayStart(toDay + 1, timeZone);
  return { from, to, timeZone, fromDay, toDay, fromMs, toMs, offsets: offsetIntervals(fromMs, toMs, timeZone) };
}

/** The Monday of a local day's week (1970-01-01 was a Thursday). */
export function weekOf(day: number): number {
  return day - ((day + 3) % 7);
}

/** The calendar month of a local day, as year * 12 + month. */
export function monthOf(day: number): number {
  const date = new Date(day * DAY_MS);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}
