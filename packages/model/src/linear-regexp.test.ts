import { describe, expect, it } from 'vitest';
import { ConflictError, InputError } from './errors.js';
import { validateInputs } from './inputs.js';
import { exampleProductManifest } from './manifest-example.js';
import { parseProductManifest } from './manifest-parse.js';
import type { ProductManifest } from './types.js';

function withInputs(inputs: Record<string, unknown>): ProductManifest {
  const manifest = exampleProductManifest();
  manifest.spec.inputs = { type: 'object', ...inputs };
  return manifest;
}

function refusal(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('patterns in product manifests run on RE2', () => {
  it('matches a catastrophic pattern against a 10,000-character input (backtracking would never finish)', () => {
    const manifest = withInputs({ properties: { name: { type: 'string', pattern: '^(a|a)+$' } } });
    // 2^10000 paths for a backtracking engine; RE2 walks the input once.
    const error = refusal(() => validateInputs(manifest, { name: `${'a'.repeat(10_000)}b` }));
    expect(error.issues).toEqual([{ path: 'inputs.name', message: 'must be a string matching ^(a|a)+$' }]);
    expect(validateInputs(manifest, { name: 'a'.repeat(10_000) })).toEqual({ name: 'a'.repeat(10_000) });
  });

  it('applies patternProperties keys with RE2 too', () => {
    const manifest = withInputs({ patternProperties: { '^(x|x)+$': { type: 'integer' } }, additionalProperties: false });
    expect(validateInputs(manifest, { xxx: 1 })).toEqual({ xxx: 1 });
    const key = `${'x'.repeat(10_000)}y`;
    expect(refusal(() => validateInputs(manifest, { [key]: 1 })).issues[0]!.message).toBe('is not a known field');
  });

  it('refuses at publish a pattern RE2 cannot run, naming the field and why', () => {
    const manifest = withInputs({ properties: { name: { type: 'string', pattern: '^(?=a)\\w+$' } } });
    const error = refusal(() => parseProductManifest(manifest));
    expect(error.code).toBe('manifest_invalid');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.path).toBe('spec.inputs.properties.name.pattern');
    expect(error.issues[0]!.message).toMatch(/not a pattern Paved can match in linear time .*\(\?=.*no backreferences, lookahead or lookbehind/);
  });

  it('finds patterns wherever a schema can hold one, and not in data', () => {
    const manifest = withInputs({
      properties: {
        // A property may be called "default" or "pattern": its value is still a schema.
        default: { type: 'string', pattern: '(a)\\1' },
        tags: { type: 'array', items: { type: 'string', pattern: '(?<=x)y' } },
        // Data keywords hold values, not schemas: a "pattern" there is just a string.
        other: { type: 'object', default: { pattern: '(?=x)' } },
      },
      patternProperties: { '^(?!x)': { type: 'string' } },
      $defs: { nested: { anyOf: [{ type: 'string', pattern: '(?!y)' }] } },
    });
    expect(refusal(() => parseProductManifest(manifest)).issues.map((issue) => issue.path)).toEqual([
      'spec.inputs.properties.default.pattern',
      'spec.inputs.properties.tags.items.pattern',
      'spec.inputs.patternProperties.^(?!x)',
      'spec.inputs.$defs.nested.anyOf.0.pattern',
    ]);
  });

  it('accepts the patterns publishers commonly write', () => {
    const manifest = withInputs({
      properties: {
        code: { type: 'string', pattern: '^[A-Z]{2}-\\d{4}$' },
        letters: { type: 'string', pattern: '^\\p{L}+$' },
        path: { type: 'string', pattern: '^\\/[a-z0-9/_-]*$' },
      },
    });
    expect(parseProductManifest(manifest)).toBe(manifest);
    expect(validateInputs(manifest, { code: 'AB-1234', letters: 'Ünïcödé', path: '/srv/data' })).toEqual({ code: 'AB-1234', letters: 'Ünïcödé', path: '/srv/data' });
    expect(refusal(() => validateInputs(manifest, { code: 'ab-1234' })).issues[0]!.path).toBe('inputs.code');
  });

  it('answers a conflict, not a crash, for a stored version whose pattern RE2 refuses', () => {
    // Published before patterns ran on RE2: parseProductManifest was never asked about it.
    const manifest = withInputs({ properties: { name: { type: 'string', pattern: '(?=a)a' } } });
    try {
      validateInputs(manifest, { name: 'a' });
      throw new Error('expected a ConflictError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).code).toBe('product_inputs_unsupported');
      expect((error as ConflictError).message).toContain('its owners must publish a new version');
    }
  });
});
