import type { DoraLevel } from '@paved/model';

/**
 * The DORA 2023 performance levels as Apache DevLake's DORA dashboard assigns them
 * (docs/metrics/dora.md "Levels"). Every comparison is on integers (minutes, day counts) or on
 * a ratio cross-multiplied, never on a float: a change failure rate of exactly 5 % is elite.
 */

export const BENCHMARK = 'DORA 2023 performance levels, as Apache DevLake computes them';

const HOUR = 60;
const DAY = 24 * HOUR;

/** From the medians of deployment days per week and per month. */
export function deploymentFrequencyLevel(medianDaysPerWeek: number, medianDaysPerMonth: number): DoraLevel {
  if (medianDaysPerWeek >= 5) return 'elite';
  if (medianDaysPerWeek >= 1) return 'high';
  if (medianDaysPerMonth >= 1) return 'medium';
  return 'low';
}

export function leadTimeLevel(medianMinutes: number | null): DoraLevel | null {
  if (medianMinutes === null) return null;
  if (medianMinutes < DAY) return 'elite';
  if (medianMinutes < 7 * DAY) return 'high';
  if (medianMinutes < 30 * DAY) return 'medium';
  return 'low';
}

/** failed / deployments against 5 %, 10 % and 15 % (each bound included in the better level). */
export function changeFailureRateLevel(failed: number, deployments: number): DoraLevel | null {
  if (deployments === 0) return null;
  if (failed * 100 <= 5 * deployments) return 'elite';
  if (failed * 100 <= 10 * deployments) return 'high';
  if (failed * 100 <= 15 * deployments) return 'medium';
  return 'low';
}

export function recoveryTimeLevel(medianMinutes: number | null): DoraLevel | null {
  if (medianMinutes === null) return null;
  if (medianMinutes < HOUR) return 'elite';
  if (medianMinutes < DAY) return 'high';
  if (medianMinutes < 7 * DAY) return 'medium';
  return 'low';
}
