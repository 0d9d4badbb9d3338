import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createColors } from './colors.js';
import { formatAge, formatElapsed, parseTimeout } from './duration.js';
import { formatData, formatFields, formatTable } from './output.js';

const plain = createColors(false);

describe('output', () => {
  it('prints a borderless, aligned table without trailing spaces', () => {
    expect(formatTable(['NAME', 'PHASE'], [['orders-db', 'Ready'], ['c', 'Pending']], plain)).toBe(
      'NAME        PHASE\norders-db   Ready\nc           Pending\n',
    );
  });

  it('prints json and yaml unchanged from the API object', () => {
    const data = { items: [{ name: 'a', n: 1 }] };
    expect(JSON.parse(formatData(data, 'json'))).toEqual(data);
    expect(parse(formatData(data, 'yaml'))).toEqual(data);
  });

  it('aligns fields and drops empty ones', () => {
    expect(formatFields([['name', 'a'], ['lifecycle', 'ga'], ['docs', undefined]], plain)).toBe('name:      a\nlifecycle: ga\n');
  });

  it('formats colour only when enabled', () => {
    expect(createColors(true).red('x')).not.toBe('x');
    expect(plain.red('x')).toBe('x');
  });
});

describe('durations', () => {
  it('parses timeouts and rejects nonsense', () => {
    expect(parseTimeout('5m')).toBe(300_000);
    expect(parseTimeout('90')).toBe(90_000);
    expect(parseTimeout('250ms')).toBe(250);
    expect(() => parseTimeout('soon')).toThrow(/--timeout/);
    // A timer cannot hold more than 24.8 days: past 24h is refused, not turned into "at once".
    expect(parseTimeout('24h')).toBe(86_400_000);
    expect(() => parseTimeout('99999999999h')).toThrow(/from 1ms to 24h/);
    expect(() => parseTimeout('0.0001ms')).toThrow(/--timeout/);
  });

  it('formats ages and elapsed times', () => {
    const now = Date.parse('2025-01-10T00:00:00Z');
    expect(formatAge('2025-01-09T23:59:15Z', now)).toBe('45s');
    expect(formatAge('2025-01-09T23:00:00Z', now)).toBe('60m');
    expect(formatAge('2025-01-09T00:00:00Z', now)).toBe('24h');
    expect(formatAge('2025-01-01T00:00:00Z', now)).toBe('9d');
    expect(formatElapsed(1234)).toBe('1.2s');
    expect(formatElapsed(75_000)).toBe('1m15s');
  });
});
