import { describe, expect, it } from 'vitest';
import { compareSemver, highestSemver } from './semver.js';

describe('semver', () => {
  it('compares numerically, not lexically', () => {
    expect(compareSemver('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compareSemver('2.0.0', '10.0.0')).toBeLessThan(0);
    expect(compareSemver('1.2.3', '1.2.3+build.5')).toBe(0);
  });

  it('ranks a prerelease below its release, and prereleases by identifier', () => {
    expect(compareSemver('1.0.0-beta.1', '1.0.0')).toBeLessThan(0);
    expect(compareSemver('1.0.0-alpha', '1.0.0-alpha.1')).toBeLessThan(0);
    expect(compareSemver('1.0.0-beta.2', '1.0.0-beta.11')).toBeLessThan(0);
    expect(compareSemver('1.0.0-1', '1.0.0-alpha')).toBeLessThan(0);
  });

  it('picks the highest, ranking invalid strings lowest', () => {
    expect(highestSemver(['1.9.0', '1.10.0', '1.2.0', '2.0.0-rc.1', 'garbage'])).toBe('2.0.0-rc.1');
    expect(highestSemver(['not-a-version', '0.0.1'])).toBe('0.0.1');
    expect(highestSemver([])).toBeUndefined();
  });
});
