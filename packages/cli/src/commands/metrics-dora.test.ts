import type { DoraMetrics } from '@paved/model';
import { describe, expect, it } from 'vitest';
import { createColors } from '../colors.js';
import type { Context } from '../context.js';
import { doraTable } from './metrics-dora.js';

const ctx = { colors: createColors(false) } as Context;

function report(n: number): DoraMetrics {
  return {
    scope: { kind: 'team', team: 'payments', services: Array.from({ length: n }, (_, i) => `payments/s${i}`) },
    window: { from: '2025-03-03', to: '2025-03-09', timeZone: 'UTC', days: 7, weeks: 1, months: 1 },
    benchmark: 'DORA 2024',
    deployments: n,
    deploymentFrequency: { deploymentDays: n, medianDeploymentDaysPerWeek: n, medianDeploymentDaysPerMonth: n, level: 'medium' },
    leadTime: { changes: n, medianMinutes: n ? 90 : null, level: n ? 'elite' : null },
    changeFailureRate: { failed: 0, deployments: n, rate: n ? 0 : null, level: n ? 'elite' : null },
    failedDeploymentRecoveryTime: { incidents: n, medianMinutes: n ? 30 : null, level: n ? 'elite' : null },
    reworkRate: { reworked: 0, deployments: n, rate: n ? 0 : null, level: null },
    dataQuality: { deploymentsWithoutChanges: { count: 0, examples: [] }, incidentsWithoutDeployment: { count: 0, examples: [] }, problems: [] },
  };
}

describe('paved metrics dora table', () => {
  it('says one change, one deployment, one incident in the singular', () => {
    const text = doraTable(ctx, report(1));
    expect(text).toContain('(1 service), 2025-03-03 to 2025-03-09 (UTC), 1 production deployment\n');
    expect(text).toContain('median over 1 change ');
    expect(text).toContain('(0 of 1 deployment)');
    expect(text).toContain('median over 1 incident ');
    expect(text).not.toMatch(/\b1 (changes|deployments|incidents|services)\b/);
  });

  it('says the plural for none and for several', () => {
    expect(doraTable(ctx, report(0))).toContain('median over 0 changes');
    const text = doraTable(ctx, report(3));
    expect(text).toContain('(3 services)');
    expect(text).toContain('3 production deployments');
    expect(text).toContain('median over 3 changes');
  });
});
