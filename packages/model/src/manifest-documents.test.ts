import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { parseManifestDocuments, parseProductManifestsFromText } from './manifest-documents.js';
import { parseScoreText } from './score/parse-score.js';

const valid = `apiVersion: paved.dev/v1alpha1
kind: Product
metadata:
  name: cache
  title: Cache
  owner: platform
  lifecycle: beta
spec:
  version: 0.1.0
  description: A cache.
  driver: redis
  inputs:
    type: object
  plans:
    small:
      quota:
        perTeam: 1.5
  outputs:
    host: {}
`;

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('parseManifestDocuments', () => {
  it('parses every YAML document and skips empty ones', () => {
    expect(parseManifestDocuments('a: 1\n---\nb: [2]\n---\n', 'x.yaml')).toEqual([{ a: 1 }, { b: [2] }]);
    expect(parseManifestDocuments('# only a comment\n', 'x.yaml')).toEqual([]);
  });

  it('parses JSON, tabs included', () => {
    expect(parseManifestDocuments('{\n\t"kind": "Product",\n\t"n": [1, 2]\n}\n', 'x.json')).toEqual([{ kind: 'Product', n: [1, 2] }]);
  });

  it('turns a syntax error into InputError naming file:line:column', () => {
    const error = thrown(() => parseManifestDocuments('a: 1\nb: [1, 2\nc: 3\n', 'bad.yaml'));
    expect(error.code).toBe('manifest_syntax');
    expect(error.message).toMatch(/^bad\.yaml is not valid YAML or JSON:\n {2}bad\.yaml:\d+:\d+: /);
    expect(error.issues[0]!.path).toMatch(/^bad\.yaml:\d+:\d+$/);
  });

  it('refuses a document whose aliases expand without end (a "billion laughs") as bad input naming file:line, in a manifest and a Score file', () => {
    const laughs = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 8; i++) laughs.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    const error = thrown(() => parseManifestDocuments(`a: 1\n---\n${laughs.join('\n')}\n`, 'bomb.yaml'));
    expect(error.code).toBe('manifest_syntax');
    expect(error.message).toBe('bomb.yaml:3: its aliases expand too far (a YAML "billion laughs")');
    expect(error.issues).toEqual([{ path: 'bomb.yaml:3', message: 'its aliases expand too far (a YAML "billion laughs")' }]);
    const score = thrown(() => parseScoreText(`apiVersion: score.dev/v1b1\nmetadata:\n  name: shop\n${laughs.map((l) => `  ${l}`).join('\n')}\ncontainers: { main: { image: . } }\n`, 'score.yaml'));
    expect(score.code).toBe('score_yaml_invalid');
    expect(score.message).toBe('score.yaml:1: its aliases expand too far (a YAML "billion laughs")');
  });

  it('reports the line of a duplicate key', () => {
    const error = thrown(() => parseManifestDocuments('a: 1\nb: 2\na: 3\n', 'dup.yaml'));
    expect(error.message).toContain('dup.yaml:3:1: ');
  });
});

describe('parseProductManifestsFromText', () => {
  it('returns the manifests of a valid file', () => {
    const text = valid.replace('perTeam: 1.5', 'perTeam: 2');
    const [manifest] = parseProductManifestsFromText(text, 'cache.yaml');
    expect(manifest!.metadata.name).toBe('cache');
    expect(manifest!.spec.plans.small!.quota!.perTeam).toBe(2);
  });

  it('reports problems as file:line: path: message', () => {
    const text = valid.replace('  lifecycle: beta\n', '  lifecycle: beta\n  colour: blue\n').replace('  driver: redis\n', '');
    const error = thrown(() => parseProductManifestsFromText(text, 'cache.yaml'));
    expect(error.code).toBe('manifest_invalid');
    expect(error.message).toBe(
      [
        'cache.yaml: the product manifest has 3 problems:',
        '  cache.yaml:8: metadata.colour: is not a known field (known fields: name, title, owner, lifecycle, tags)',
        // A missing field points at the object it belongs in.
        '  cache.yaml:9: spec.driver: is required',
        '  cache.yaml:17: spec.plans.small.quota.perTeam: must be an integer',
      ].join('\n'),
    );
    expect(error.issues).toEqual([
      { path: 'metadata.colour', message: 'is not a known field (known fields: name, title, owner, lifecycle, tags)' },
      { path: 'spec.driver', message: 'is required' },
      { path: 'spec.plans.small.quota.perTeam', message: 'must be an integer' },
    ]);
  });

  it('names the document in a multi-document file', () => {
    const second = valid.replace('name: cache', 'name: cache-two').replace('perTeam: 1.5', 'perTeam: 3');
    const error = thrown(() => parseProductManifestsFromText(`${valid.replace('perTeam: 1.5', 'perTeam: 1')}---\n${second.replace('version: 0.1.0', 'version: one')}`, 'all.yaml'));
    expect(error.message).toContain('  all.yaml:29: [2] spec.version: must be a semantic version');
    expect(error.issues).toEqual([{ path: '[2] spec.version', message: expect.stringMatching(/semantic version/) }]);
  });

  it('reports line numbers in JSON files too', () => {
    const json = JSON.stringify({ apiVersion: 'paved.dev/v1alpha1', kind: 'Product', metadata: { name: 'x', title: 'X', owner: 'platform', lifecycle: 'ga' } }, null, 2);
    const error = thrown(() => parseProductManifestsFromText(json, 'x.json'));
    expect(error.message).toContain('  x.json:1: spec: is required');
  });

  it('rejects a file with no manifest', () => {
    expect(thrown(() => parseProductManifestsFromText('\n', 'empty.yaml')).message).toBe('empty.yaml: contains no product manifest');
  });
});
