import { describe, expect, it } from 'vitest';
import { repositoryKeyOfUrl } from '@paved/model';
import { changeFailureRateLevel, deploymentFrequencyLevel, leadTimeLevel, recoveryTimeLevel } from './levels.js';
import { lowerMedian, lowerMedianOfHistogram } from './median.js';
import { dayStart, localDay, offsetIntervals } from './timezone.js';
import { dayOf, doraWindow, monthOf, weekOf } from './window.js';
import { parseTimestamp } from '../../delivery/timestamps.js';
import { claims } from '../../delivery/repositories.js';
import { compilePattern } from '../../delivery/settings.js';

describe('levels (DORA 2023, as DevLake assigns them)', () => {
  it('compares the change failure rate exactly at 5, 10 and 15 %', () => {
    expect([changeFailureRateLevel(1, 20), changeFailureRateLevel(2, 20), changeFailureRateLevel(3, 20), changeFailureRateLevel(4, 20)]).toEqual(['elite', 'high', 'medium', 'low']);
    // 1/7 = 14.28…% (medium) and 16/100 (low); a float sum (0.1 + 0.05) would not be trusted at a bound.
    expect([changeFailureRateLevel(1, 7), changeFailureRateLevel(16, 100), changeFailureRateLevel(0, 0)]).toEqual(['medium', 'low', null]);
  });
  it('puts each time bound in the worse level', () => {
    expect([leadTimeLevel(1439), leadTimeLevel(1440), leadTimeLevel(10079), leadTimeLevel(10080), leadTimeLevel(43199), leadTimeLevel(43200), leadTimeLevel(null)])
      .toEqual(['elite', 'high', 'high', 'medium', 'medium', 'low', null]);
    expect([recoveryTimeLevel(59), recoveryTimeLevel(60), recoveryTimeLevel(1440), recoveryTimeLevel(10080)]).toEqual(['elite', 'high', 'medium', 'low']);
    expect([deploymentFrequencyLevel(5, 0), deploymentFrequencyLevel(1, 0), deploymentFrequencyLevel(0, 1), deploymentFrequencyLevel(0, 0)]).toEqual(['elite', 'high', 'medium', 'low']);
  });
});

describe('lower median', () => {
  it('takes the value at floor((n - 1) / 2), never an average', () => {
    expect(lowerMedian([45, 2825, 1265])).toBe(1265);
    expect(lowerMedian([10, 20])).toBe(10);
    expect(lowerMedian([])).toBeNull();
    expect(lowerMedianOfHistogram([{ minutes: 10, count: 1 }, { minutes: 20, count: 1 }])).toBe(10);
    expect(lowerMedianOfHistogram([{ minutes: 1, count: 3 }, { minutes: 9, count: 4 }])).toBe(9);
  });
});

describe('days, weeks and months', () => {
  it('numbers weeks from Monday and months by the calendar', () => {
    const monday = dayOf('2025-03-03', 'from');
    expect(weekOf(monday)).toBe(monday);
    expect(weekOf(monday + 6)).toBe(monday);
    expect(weekOf(monday + 7)).toBe(monday + 7);
    expect(monthOf(dayOf('2025-03-31', 'to'))).not.toBe(monthOf(dayOf('2025-04-01', 'to')));
  });
  it('finds the first instant of a local day and the offsets of a window across a clock change', () => {
    expect(new Date(dayStart(dayOf('2025-03-31', 'from'), 'Europe/Berlin')).toISOString()).toBe('2025-03-30T22:00:00.000Z');
    expect(new Date(dayStart(dayOf('2025-03-30', 'from'), 'Europe/Berlin')).toISOString()).toBe('2025-03-29T23:00:00.000Z');
    // America/Santiago skips local midnight: on 2024-09-08 the day starts at 01:00 local (04:00 UTC).
    expect(new Date(dayStart(dayOf('2024-09-08', 'from'), 'America/Santiago')).toISOString()).toBe('2024-09-08T04:00:00.000Z');
    const window = doraWindow('2025-03-24', '2025-04-06', 'Europe/Berlin');
    expect(window.offsets).toEqual([
      { fromMs: Date.parse('2025-03-23T23:00:00Z'), toMs: Date.parse('2025-03-30T01:00:00Z'), offsetMs: 3_600_000 },
      { fromMs: Date.parse('2025-03-30T01:00:00Z'), toMs: Date.parse('2025-04-06T22:00:00Z'), offsetMs: 7_200_000 },
    ]);
    expect(localDay(Date.parse('2025-03-30T22:30:00Z'), 'Europe/Berlin')).toBe(dayOf('2025-03-31', 'from'));
    expect(offsetIntervals(0, 1000, 'UTC')).toEqual([{ fromMs: 0, toMs: 1000, offsetMs: 0 }]);
  });
  it('refuses impossible dates and windows, naming the field', () => {
    expect(() => doraWindow('2025-02-30', '2025-03-01', 'UTC')).toThrow(expect.objectContaining({ code: 'date_invalid', issues: [expect.objectContaining({ path: 'from' })] }));
    expect(() => doraWindow('2025-03-02', '2025-03-01', 'UTC')).toThrow(expect.objectContaining({ code: 'window_invalid' }));
    expect(() => doraWindow('2020-01-01', '2025-03-01', 'UTC')).toThrow(expect.objectContaining({ code: 'window_invalid' }));
  });
});

describe('timestamps', () => {
  it('honours the offsets GitHub and GitLab write', () => {
    expect(parseTimestamp('2025-03-21 00:40:10 +0100', 'at')).toBe(Date.parse('2025-03-20T23:40:10Z'));
    expect(parseTimestamp('2016-08-12 15:23:28 UTC', 'at')).toBe(Date.parse('2016-08-12T15:23:28Z'));
    expect(parseTimestamp('2025-03-03T10:12:33+01:00', 'at')).toBe(Date.parse('2025-03-03T09:12:33Z'));
    expect(parseTimestamp('2025-03-03T10:12:33.5-05:30', 'at')).toBe(Date.parse('2025-03-03T15:42:33.500Z'));
    for (const bad of ['2025-03-03 10:12:33', '2025-02-29T10:00:00Z', '2015-04-08T21: 00:25-07:00', 'yesterday']) {
      expect(() => parseTimestamp(bad, 'body.at'), bad).toThrow(expect.objectContaining({ code: 'timestamp_invalid', issues: [expect.objectContaining({ path: 'body.at' })] }));
    }
  });
});

describe('repositories and services', () => {
  const service = (repositoryUrl?: string) => ({ id: 'x', teamId: 't', teamName: 'pay', name: 'api', description: '', lifecycle: 'experimental' as const, createdAt: '', updatedAt: '', ...(repositoryUrl ? { repositoryUrl } : {}) });
  it('reads the same repository from every way of writing its URL', () => {
    for (const url of ['https://github.com/acme/payments-api', 'https://GitHub.com/Acme/Payments-API.git', 'git@github.com:acme/payments-api.git', 'https://github.com/acme/payments-api/tree/main', 'github.com/acme/payments-api/']) {
      expect(repositoryKeyOfUrl(url), url).toEqual({ host: 'github.com', path: 'acme/payments-api' });
    }
    expect(repositoryKeyOfUrl('ssh://git@gitlab.example.com:2222/group/sub/project.git')).toEqual({ host: 'gitlab.example.com', path: 'group/sub/project' });
    expect(repositoryKeyOfUrl('https://gitlab.example.com/group/project/-/tree/main')).toEqual({ host: 'gitlab.example.com', path: 'group/project' });
  });
  it('lets a service claim its repository (any host when the payload named none) and its own API events', () => {
    const repo = (host: string, path: string) => ({ id: 1, host, path, name: path });
    expect(claims(service('https://github.com/acme/payments-api'), repo('github.com', 'acme/payments-api'))).toBe(true);
    expect(claims(service('https://github.com/acme/payments-api'), repo('', 'acme/payments-api'))).toBe(true);
    expect(claims(service('https://github.com/acme/payments-api'), repo('gitlab.com', 'acme/payments-api'))).toBe(false);
    expect(claims(service(), repo('paved', 'pay/api'))).toBe(true);
    expect(claims(service(), repo('paved', 'pay/web'))).toBe(false);
  });
  it('reads DevLake-style patterns', () => {
    expect(compilePattern('(?i)prod', 'p').test('Production')).toBe(true);
    expect(compilePattern('(?i)^incident$', 'p').test('incident-review')).toBe(false);
    expect(() => compilePattern('(', 'PAVED_DORA_INCIDENT_LABEL')).toThrow(expect.objectContaining({ code: 'pattern_invalid' }));
  });
});
