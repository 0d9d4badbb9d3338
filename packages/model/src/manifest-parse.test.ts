import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { parseProductManifest } from './manifest-parse.js';
import { exampleProductManifest as exampleManifest } from './manifest-example.js';

function problems(input: unknown, file?: string): InputError {
  try {
    parseProductManifest(input, file === undefined ? {} : { file });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('manifest_invalid');
    return error as InputError;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('parseProductManifest', () => {
  it('accepts the example manifest and returns it', () => {
    const manifest = exampleManifest();
    expect(parseProductManifest(manifest)).toEqual(manifest);
  });

  it('accepts a single plan without default: true', () => {
    const manifest = exampleManifest();
    manifest.spec.plans = { only: { values: {} } };
    expect(parseProductManifest(manifest).spec.plans).toEqual({ only: { values: {} } });
  });

  it('reports every problem at once, with dotted paths', () => {
    const manifest = exampleManifest() as unknown as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    delete manifest.metadata.owner;
    manifest.metadata.lifecycle = 'stable';
    manifest.spec.version = '1.2';
    (manifest.spec.plans as Record<string, { quota: { perTeam: unknown } }>).small!.quota.perTeam = 1.5;
    (manifest.spec.plans as Record<string, { quota: { perTeam: unknown } }>).large!.quota.perTeam = 0;
    const error = problems(manifest, 'products/pg.yaml');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'metadata.owner', message: 'is required' },
        { path: 'metadata.lifecycle', message: 'must be one of: "experimental", "beta", "ga", "deprecated"' },
        { path: 'spec.version', message: 'must be a semantic version such as 1.0.0 or 2.1.0-beta.1' },
        { path: 'spec.plans.small.quota.perTeam', message: 'must be an integer' },
        { path: 'spec.plans.large.quota.perTeam', message: 'must be at least 1' },
      ]),
    );
    expect(error.issues).toHaveLength(5);
    expect(error.message).toMatch(/^products\/pg\.yaml: the product manifest has 5 problems:\n/);
    expect(error.message).toContain('  spec.plans.small.quota.perTeam: must be an integer');
  });

  it('names unknown fields and suggests the one meant', () => {
    const manifest = exampleManifest() as unknown as { spec: Record<string, unknown> };
    manifest.spec.dirft = 'repair';
    const error = problems(manifest);
    expect(error.issues).toEqual([{ path: 'spec.dirft', message: 'is not a known field; did you mean "drift"?' }]);
  });

  it('checks names: pattern and no trailing "-"', () => {
    const manifest = exampleManifest();
    manifest.metadata.name = 'Postgres';
    manifest.metadata.owner = 'data-';
    manifest.spec.plans = { 'Big!': { default: true }, 'tiny-': {} };
    const error = problems(manifest);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'metadata.name', message: expect.stringMatching(/^must be a name: lowercase letters/) },
        { path: 'metadata.owner', message: 'must not end with "-"' },
        { path: 'spec.plans.Big!', message: expect.stringMatching(/^is not a valid name/) },
        { path: 'spec.plans.tiny-', message: 'must not end with "-"' },
      ]),
    );
  });

  it('requires exactly one default plan when there are several', () => {
    const twoDefaults = exampleManifest();
    twoDefaults.spec.plans.large!.default = true;
    expect(problems(twoDefaults).issues).toEqual([
      { path: 'spec.plans.small.default', message: 'only one plan may be the default, but small, large all are' },
      { path: 'spec.plans.large.default', message: 'only one plan may be the default, but small, large all are' },
    ]);
    const noDefault = exampleManifest();
    delete noDefault.spec.plans.small!.default;
    expect(problems(noDefault).issues).toEqual([
      { path: 'spec.plans', message: expect.stringContaining('mark one of small, large with "default: true"') },
    ]);
  });

  it('requires at least one plan; outputs may be none (a Score type such as an autoscaler has none)', () => {
    const manifest = exampleManifest();
    manifest.spec.plans = {};
    manifest.spec.outputs = {};
    expect(problems(manifest).issues).toEqual([{ path: 'spec.plans', message: 'must have at least 1 entry' }]);
  });

  it('reads spec.score: the Score types a product serves, which must be type names', () => {
    const manifest = exampleManifest();
    manifest.spec.score = { types: ['mongodb', 'Kafka_Topic'] };
    expect(problems(manifest).issues).toEqual([{ path: 'spec.score.types.1', message: 'must be a string matching ^[a-z0-9][a-z0-9-]{0,62}$' }]);
  });

  it('requires spec.inputs to be an object schema that compiles', () => {
    const notObject = exampleManifest();
    notObject.spec.inputs = { type: 'string' };
    expect(problems(notObject).issues).toEqual([{ path: 'spec.inputs.type', message: 'must be "object"' }]);

    const broken = exampleManifest();
    broken.spec.inputs = { type: 'object', properties: { size: { type: 'integer', minimum: 'one' } } };
    const brokenIssues = problems(broken).issues;
    expect(brokenIssues).toHaveLength(1);
    expect(brokenIssues[0]!.path).toBe('spec.inputs');
    expect(brokenIssues[0]!.message).toMatch(/^is not a valid JSON Schema: /);

    // A misspelt keyword would otherwise be a constraint that silently does nothing.
    const typo = exampleManifest();
    typo.spec.inputs = { type: 'object', properties: { size: { type: 'integer', defualt: 1 } } };
    expect(problems(typo).issues[0]!.message).toMatch(/unknown keyword: "defualt"/);
  });

  it('checks the kind, apiVersion and that the document is an object', () => {
    expect(problems('hello').issues).toEqual([{ path: '(document)', message: 'must be an object' }]);
    const manifest = exampleManifest() as unknown as Record<string, unknown>;
    manifest.kind = 'Team';
    manifest.apiVersion = 'paved.dev/v1';
    expect(problems(manifest).issues).toEqual([
      { path: 'apiVersion', message: 'must be "paved.dev/v1alpha1"' },
      { path: 'kind', message: 'must be "Product"' },
    ]);
  });

  it('reports a bad slo duration, selector value and support url', () => {
    const manifest = exampleManifest() as unknown as { spec: Record<string, unknown> };
    manifest.spec.slo = { timeToReady: { p95: 'fast' } };
    manifest.spec.targets = { selector: { tier: 1 } };
    manifest.spec.support = { url: 'not a url' };
    expect(problems(manifest).issues).toEqual([
      { path: 'spec.support.url', message: 'must be a valid uri' },
      { path: 'spec.targets.selector.tier', message: 'must be a string (put the value in quotes)' },
      { path: 'spec.slo.timeToReady.p95', message: 'must be a duration such as 500ms, 5s, 2m or 1h' },
    ]);
  });
});
