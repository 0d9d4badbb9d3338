import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { exampleProductManifest } from './manifest-example.js';
import { assertChecksOffered } from './manifest-checks.js';
import type { ProductManifest } from './types.js';

function withChecks(checks: string[] | undefined): ProductManifest {
  const manifest = exampleProductManifest();
  if (checks === undefined) delete manifest.spec.checks;
  else manifest.spec.checks = checks;
  return manifest;
}

describe('assertChecksOffered', () => {
  it('accepts checks the driver offers, and a manifest without checks', () => {
    expect(() => assertChecksOffered(withChecks(['connect', 'isolation']), ['connect', 'write-read', 'isolation'])).not.toThrow();
    expect(() => assertChecksOffered(withChecks(undefined), [])).not.toThrow();
  });

  it('names each unknown check by its index and lists what the driver offers', () => {
    const error = (() => {
      try {
        assertChecksOffered(withChecks(['connect', 'telepathy', 'isolaton']), ['connect', 'isolation']);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })() as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('check_unknown');
    expect(error.issues.map((issue) => issue.path)).toEqual(['spec.checks[1]', 'spec.checks[2]']);
    expect(error.message).toContain('offers: connect, isolation');
  });
});
