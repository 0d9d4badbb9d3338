import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { resolveInstanceValues, validateInputs } from './inputs.js';
import { exampleProductManifest } from './manifest-example.js';
import type { ProductManifest } from './types.js';

function withInputs(): ProductManifest {
  const manifest = exampleProductManifest();
  manifest.spec.inputs = {
    type: 'object',
    properties: {
      extensions: { type: 'array', items: { enum: ['citext', 'pgcrypto'] }, default: [] },
      connectionLimit: { type: 'integer', minimum: 1, default: 5 },
      locale: { type: 'string', default: 'C' },
    },
    additionalProperties: false,
  };
  return manifest;
}

function rejected(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('inputs_invalid');
    return error as InputError;
  }
  throw new Error('expected inputs_invalid');
}

describe('validateInputs', () => {
  it('fills defaults on a copy and leaves the caller\'s object alone', () => {
    const inputs = { extensions: ['citext'] };
    expect(validateInputs(withInputs(), inputs)).toEqual({ extensions: ['citext'], connectionLimit: 5, locale: 'C' });
    expect(inputs).toEqual({ extensions: ['citext'] });
    expect(validateInputs(withInputs(), undefined)).toEqual({ extensions: [], connectionLimit: 5, locale: 'C' });
  });

  it('reports every problem under inputs.<path>', () => {
    const error = rejected(() => validateInputs(withInputs(), { extensions: ['postgis'], connectionLimit: 0, colour: 'red' }));
    expect(error.issues).toEqual([
      { path: 'inputs.colour', message: 'is not a known field (known fields: extensions, connectionLimit, locale)' },
      { path: 'inputs.extensions.0', message: 'must be one of: "citext", "pgcrypto"' },
      { path: 'inputs.connectionLimit', message: 'must be at least 1' },
    ]);
    expect(error.message).toContain('inputs for product "postgres" 1.2.0 are invalid:\n  inputs.colour: ');
  });

  it('rejects inputs that are not an object', () => {
    expect(rejected(() => validateInputs(withInputs(), [1])).issues).toEqual([{ path: 'inputs', message: 'must be an object' }]);
  });

  it('uses the same validator for equal manifests read twice (cache by digest)', () => {
    // A fresh object with the same content must validate the same way, not recompile wrongly.
    for (let i = 0; i < 3; i++) expect(validateInputs(withInputs(), {}).connectionLimit).toBe(5);
    const changed = withInputs();
    (changed.spec.inputs.properties as Record<string, { default?: unknown }>).connectionLimit!.default = 7;
    expect(validateInputs(changed, {}).connectionLimit).toBe(7);
  });

});

describe('resolveInstanceValues', () => {
  it('merges schema defaults, then inputs, then plan values (the plan wins)', () => {
    const manifest = withInputs();
    expect(resolveInstanceValues(manifest, 'small', { connectionLimit: 500, locale: 'en_US' })).toEqual({
      extensions: [],
      connectionLimit: 20,
      locale: 'en_US',
    });
    expect(resolveInstanceValues(manifest, 'large', {}).connectionLimit).toBe(200);
  });

  it('does not hand out the manifest\'s own plan values to mutate', () => {
    const manifest = withInputs();
    manifest.spec.plans.small!.values = { nested: { a: 1 } };
    const values = resolveInstanceValues(manifest, 'small', {});
    (values.nested as { a: number }).a = 2;
    expect(manifest.spec.plans.small!.values).toEqual({ nested: { a: 1 } });
  });

  it('copies inputs and plan values deeply, never sharing or changing the caller\'s objects', () => {
    const manifest = withInputs();
    manifest.spec.inputs = { type: 'object', properties: { tags: { type: 'array', items: { type: 'object' } }, locale: { type: 'string', default: 'C' } } };
    manifest.spec.plans.small!.values = { limits: { cpu: [1, 2], mem: null } };
    const inputs = JSON.parse('{"tags":[{"a":{"b":[true,null,"x"]}}],"__proto__":{"polluted":1}}') as Record<string, unknown>;
    const values = resolveInstanceValues(manifest, 'small', inputs);
    // As structuredClone did: an own `__proto__` key stays an own key, and sets no prototype.
    expect(JSON.stringify(values)).toBe('{"tags":[{"a":{"b":[true,null,"x"]}}],"__proto__":{"polluted":1},"locale":"C","limits":{"cpu":[1,2],"mem":null}}');
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(inputs).not.toHaveProperty('locale');
    expect(values.tags).not.toBe(inputs.tags);
    expect((values.tags as unknown[])[0]).not.toBe((inputs.tags as unknown[])[0]);
    expect(values.limits).not.toBe(manifest.spec.plans.small!.values!.limits);
    // Anything but plain data is copied as structuredClone copies it.
    const dated = validateInputs(manifest, { nested: { when: new Date(0) } });
    expect((dated.nested as { when: unknown }).when).toEqual(new Date(0));
  });

  it('rejects an unknown plan', () => {
    expect(() => resolveInstanceValues(withInputs(), 'huge', {})).toThrow(/has no plan "huge"/);
  });
});
