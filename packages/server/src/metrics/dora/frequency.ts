import type { DoraMetrics } from '@paved/model';
import { lowerMedian } from './median.js';
import { deploymentFrequencyLevel } from './levels.js';
import { monthOf, weekOf, type DoraWindow } from './window.js';

/**
 * Deployment frequency counts deployment days, not deployments: for every week of the window
 * (Monday to Sunday, partial weeks included) and every calendar month, the number of distinct
 * local days with at least one successful production deployment; then the lower median of each.
 */
export function deploymentFrequency(window: DoraWindow, deploymentDays: ReadonlySet<number>): DoraMetrics['deploymentFrequency'] & { weeks: number; months: number } {
  const perWeek = new Map<number, number>();
  const perMonth = new Map<number, number>();
  for (let day = window.fromDay; day <= window.toDay; day++) {
    const deployed = deploymentDays.has(day) ? 1 : 0;
    perWeek.set(weekOf(day), (perWeek.get(weekOf(day)) ?? 0) + deployed);
    perMonth.set(monthOf(day), (perMonth.get(monthOf(day)) ?? 0) + deployed);
  }
  const week = lowerMedian([...perWeek.values()]) ?? 0;
  const month = lowerMedian([...perMonth.values()]) ?? 0;
  let inWindow = 0;
  for (const day of deploymentDays) if (day >= window.fromDay && day <= window.toDay) inWindow++;
  return {
    deploymentDays: inWindow,
    medianDeploymentDaysPerWeek: week,
    medianDeploymentDaysPerMonth: month,
    level: deploymentFrequencyLevel(week, month),
    weeks: perWeek.size,
    months: perMonth.size,
  };
}
