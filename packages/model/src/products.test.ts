import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseProductManifestsFromText } from './manifest-documents.js';
import { secretOutputNames } from './manifest-plans.js';

const productsDir = fileURLToPath(new URL('../../../products/', import.meta.url));
const manifestFiles = readdirSync(productsDir).filter((file) => /\.(ya?ml|json)$/.test(file));

describe('built-in products (products/)', () => {
  it('has the built-in products', () => {
    expect(manifestFiles).toEqual(expect.arrayContaining(['postgres.yaml', 'secret.yaml']));
  });

  it.each(manifestFiles)('%s parses, and its docs file exists', (file) => {
    const manifests = parseProductManifestsFromText(readFileSync(`${productsDir}${file}`, 'utf8'), `products/${file}`);
    expect(manifests.length).toBeGreaterThan(0);
    for (const manifest of manifests) {
      expect(`${manifest.metadata.name}.yaml`).toBe(file);
      if (manifest.spec.docs?.startsWith('./')) expect(readFileSync(`${productsDir}${manifest.spec.docs.slice(2)}`, 'utf8')).toContain('#');
    }
  });

  it('keeps postgres credentials secret', () => {
    const [postgres] = parseProductManifestsFromText(readFileSync(`${productsDir}postgres.yaml`, 'utf8'), 'postgres.yaml');
    expect(secretOutputNames(postgres!)).toEqual(['password', 'url']);
  });
});
