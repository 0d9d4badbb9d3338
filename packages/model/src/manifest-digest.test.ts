import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { canonicalJson, manifestDigest } from './manifest-digest.js';
import { exampleProductManifest } from './manifest-example.js';
import { defaultPlan, resolvePlan, secretOutputNames } from './manifest-plans.js';
import type { ProductManifest } from './types.js';

describe('manifestDigest', () => {
  it('does not depend on key order, and changes with any value', () => {
    const manifest = exampleProductManifest();
    const reordered = JSON.parse(canonicalJson(manifest)) as ProductManifest;
    expect(Object.keys(reordered)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    const shuffled = { spec: { ...manifest.spec }, kind: manifest.kind, metadata: manifest.metadata, apiVersion: manifest.apiVersion } as ProductManifest;
    expect(manifestDigest(shuffled)).toBe(manifestDigest(manifest));
    expect(manifestDigest(manifest)).toMatch(/^[0-9a-f]{64}$/);
    const changed = exampleProductManifest();
    changed.spec.plans.small!.quota!.perTeam = 11;
    expect(manifestDigest(changed)).not.toBe(manifestDigest(manifest));
  });

  it('keeps array order and sorts nested keys', () => {
    expect(canonicalJson({ b: [2, 1], a: { d: 1, c: undefined, b: null } })).toBe('{"a":{"b":null,"d":1},"b":[2,1]}');
  });
});

describe('plans', () => {
  it('defaults to the plan marked default, or the only plan', () => {
    const manifest = exampleProductManifest();
    expect(defaultPlan(manifest)).toBe('small');
    manifest.spec.plans = { solo: {} };
    expect(defaultPlan(manifest)).toBe('solo');
  });

  it('resolves a named plan and rejects an unknown one listing the valid plans', () => {
    const manifest = exampleProductManifest();
    expect(resolvePlan(manifest)).toBe('small');
    expect(resolvePlan(manifest, 'large')).toBe('large');
    for (const bad of ['huge', 'constructor']) {
      const error = (() => {
        try {
          resolvePlan(manifest, bad);
        } catch (e) {
          return e as InputError;
        }
        throw new Error('expected plan_unknown');
      })();
      expect(error).toBeInstanceOf(InputError);
      expect(error.code).toBe('plan_unknown');
      expect(error.issues).toEqual([{ path: 'plan', message: 'must be one of: small (default), large' }]);
      expect(error.message).toBe(`product "postgres" 1.2.0 has no plan "${bad}"; choose one of: small (default), large`);
    }
  });

  it('lists the secret outputs', () => {
    expect(secretOutputNames(exampleProductManifest())).toEqual(['password', 'url']);
  });
});
