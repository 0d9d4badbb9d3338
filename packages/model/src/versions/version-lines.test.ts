import { describe, expect, it } from 'vitest';
import { isPavedError } from '../errors.js';
import { exampleProductManifest } from '../manifest-example.js';
import type { ProductManifest } from '../types.js';
import { assertNoBreakingChange, compatibilityLine, latestVersionOf, nextBreakingVersion, publishBaselines } from './version-lines.js';

function version(v: string, change: (m: ProductManifest) => void = () => {}): ProductManifest {
  const m = exampleProductManifest();
  m.spec.version = v;
  change(m);
  return m;
}

const withoutPassword = (m: ProductManifest) => delete m.spec.outputs.password;

function refusal(candidate: ProductManifest, published: ProductManifest[]) {
  try {
    assertNoBreakingChange(candidate, published);
  } catch (error) {
    if (isPavedError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('latestVersionOf', () => {
  it('is the highest release, never a pre-release while a release exists', () => {
    expect(latestVersionOf(['1.0.0', '1.2.0-beta.1', '1.1.0', '2.0.0-rc.1'])).toBe('1.1.0');
    expect(latestVersionOf(['1.0.0', '1.10.0', '1.9.0'])).toBe('1.10.0');
  });
  it('is the highest pre-release of a product that has only pre-releases', () => {
    expect(latestVersionOf(['0.1.0-alpha', '0.1.0-beta'])).toBe('0.1.0-beta');
  });
  it('is undefined for none', () => {
    expect(latestVersionOf([])).toBeUndefined();
  });
});

describe('compatibility lines', () => {
  it('are the major version, or 0.minor below 1.0.0', () => {
    expect(compatibilityLine('1.4.2')).toBe('1');
    expect(compatibilityLine('2.0.0-beta.1')).toBe('2');
    expect(compatibilityLine('0.3.1')).toBe('0.3');
    expect(nextBreakingVersion('1.4.2')).toBe('2.0.0');
    expect(nextBreakingVersion('0.3.1')).toBe('0.4.0');
  });
  it('pick the previous release of the line and the highest earlier one', () => {
    const published = ['1.0.0', '1.1.0', '1.2.0-beta.1', '2.0.0', '2.1.0'].map((v) => version(v));
    const b = publishBaselines('1.2.0', published);
    expect(b.previousInLine?.spec.version).toBe('1.1.0');
    expect(b.highestEarlier?.spec.version).toBe('1.1.0');
    expect(b.nextInLine).toBeUndefined();
    const c = publishBaselines('3.0.0', published);
    expect(c.highestEarlier?.spec.version).toBe('2.1.0');
    expect(c.previousInLine).toBeUndefined();
    expect(publishBaselines('1.0.5', published).nextInLine?.spec.version).toBe('1.1.0');
  });
});

describe('assertNoBreakingChange', () => {
  it('refuses a minor version that breaks, naming each break by path', () => {
    const error = refusal(version('1.3.0', withoutPassword), [version('1.2.0')]);
    expect(error.code).toBe('breaking_change');
    expect(error.status).toBe(409);
    expect(error.message).toContain('publish it as 2.0.0');
    expect(error.message).toContain('outputs.password: removed');
    expect(error.issues).toEqual([{ path: 'outputs.password', message: 'removed (1.2.0 → 1.3.0, line 1.x)' }]);
  });
  it('refuses a patch version that breaks', () => {
    expect(refusal(version('1.2.1', withoutPassword), [version('1.2.0')]).code).toBe('breaking_change');
  });
  it('allows the break in a new major version', () => {
    expect(() => assertNoBreakingChange(version('2.0.0', withoutPassword), [version('1.2.0')])).not.toThrow();
  });
  it('treats each 0.y as its own line', () => {
    expect(refusal(version('0.3.1', withoutPassword), [version('0.3.0')]).code).toBe('breaking_change');
    expect(() => assertNoBreakingChange(version('0.4.0', withoutPassword), [version('0.3.0')])).not.toThrow();
  });
  it('compares with the previous release of the line, not the highest version overall', () => {
    // 2.0.0 dropped the password; a 1.x fix must keep it, and may, though 2.0.0 lacks it.
    const published = [version('1.2.0'), version('2.0.0', withoutPassword)];
    expect(() => assertNoBreakingChange(version('1.2.1'), published)).not.toThrow();
    expect(refusal(version('1.2.1', withoutPassword), published).issues[0]?.path).toBe('outputs.password');
  });
  it('refuses a version put into the middle of a line that the next one would break from', () => {
    const published = [version('1.0.0'), version('1.2.0')];
    const error = refusal(version('1.1.0', (m) => (m.spec.outputs.extra = {})), published);
    expect(error.issues).toEqual([{ path: 'outputs.extra', message: 'removed (1.1.0 → 1.2.0, line 1.x)' }]);
  });
  it('lets pre-releases break each other but not the release they lead to', () => {
    expect(() => assertNoBreakingChange(version('2.0.0-beta.2', withoutPassword), [version('1.2.0'), version('2.0.0-beta.1')])).not.toThrow();
    expect(refusal(version('1.3.0-beta.1', withoutPassword), [version('1.2.0')]).code).toBe('breaking_change');
  });
  it('passes the first version and compatible ones', () => {
    expect(() => assertNoBreakingChange(version('1.0.0'), [])).not.toThrow();
    expect(() => assertNoBreakingChange(version('1.3.0', (m) => (m.spec.outputs.extra = {})), [version('1.2.0')])).not.toThrow();
  });
});
