import { describe, expect, it } from 'vitest';
import { compareSemver, compareSemverTotal, highestSemver, isSemver, parseSemver } from './semver.js';

describe('isSemver', () => {
  it.each(['0.0.0', '1.2.3', '10.20.30', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-0.3.7', '1.0.0-x.7.z.92', '1.0.0+20130313144700', '1.0.0-beta+exp.sha.5114f85', '1.0.0-x-y-z.--'])(
    'accepts %s',
    (value) => expect(isSemver(value)).toBe(true),
  );
  it.each(['', '1', '1.2', '1.2.3.4', 'v1.2.3', '01.2.3', '1.02.3', '1.2.03', '1.2.3-', '1.2.3-01', '1.2.3+', '1.2.3-a..b', ' 1.2.3', '1.2.3 ', '-1.2.3'])(
    'rejects %j',
    (value) => expect(isSemver(value)).toBe(false),
  );
  it('rejects non-strings', () => {
    expect(isSemver(1)).toBe(false);
    expect(isSemver(undefined)).toBe(false);
  });
});

describe('parseSemver', () => {
  it('splits the parts', () => {
    expect(parseSemver('1.2.3-rc.1+build.5')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: ['rc', '1'], build: ['build', '5'] });
    expect(parseSemver('nope')).toBeUndefined();
  });
});

describe('compareSemver', () => {
  it('orders by semver.org precedence', () => {
    // The example chain from semver.org §11, plus numeric (not lexical) comparison of numbers.
    const ordered = [
      '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11',
      '1.0.0-rc.1', '1.0.0', '1.0.1', '1.2.0', '1.10.0', '2.0.0', '10.0.0',
    ];
    const shuffled = [...ordered].reverse();
    shuffled.push(shuffled.shift()!);
    expect(shuffled.sort(compareSemver)).toEqual(ordered);
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(compareSemver(ordered[i]!, ordered[i + 1]!)).toBeLessThan(0);
      expect(compareSemver(ordered[i + 1]!, ordered[i]!)).toBeGreaterThan(0);
    }
  });
  it('ignores build metadata', () => {
    expect(compareSemver('1.0.0+a', '1.0.0+b')).toBe(0);
    expect(compareSemver('1.0.0-rc.1+x', '1.0.0-rc.1')).toBe(0);
  });
  it('throws on something that is not a version', () => {
    expect(() => compareSemver('1.0', '1.0.0')).toThrow(/not a semantic version: "1.0"/);
    expect(() => compareSemver('1.0.0', 'x')).toThrow(TypeError);
  });
});

describe('compareSemverTotal and highestSemver', () => {
  it('orders versions that differ in build metadata only by their text, so a list has one order', () => {
    expect(['1.0.0+b', '1.0.0', '0.9.0', '1.0.0+a'].sort(compareSemverTotal)).toEqual(['0.9.0', '1.0.0', '1.0.0+a', '1.0.0+b']);
    expect(compareSemverTotal('1.0.0+a', '1.0.0+a')).toBe(0);
  });
  it('picks the highest by precedence, not by text or position', () => {
    expect(highestSemver(['1.9.0', '1.10.0', '1.2.0', '2.0.0-rc.1'])).toBe('2.0.0-rc.1');
    expect(highestSemver(['2.0.0', '10.0.0', '9.0.0'])).toBe('10.0.0');
    expect(highestSemver([])).toBeUndefined();
  });
  it('is as strict as the manifest schema: a v prefix is not a version', () => {
    expect(() => highestSemver(['v2.0.0', '1.0.0'])).toThrow(/not a semantic version: "v2.0.0"/);
  });
});
