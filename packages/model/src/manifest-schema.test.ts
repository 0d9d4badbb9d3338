import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { productManifestSchema } from './manifest-schema.js';

const schemaFile = fileURLToPath(new URL('../../../schemas/product.schema.json', import.meta.url));
const expected = `${JSON.stringify(productManifestSchema, null, 2)}\n`;

describe('schemas/product.schema.json', () => {
  it('is productManifestSchema written out (regenerate: UPDATE_SCHEMA=1 npx vitest run packages/model/src/manifest-schema.test.ts)', () => {
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(schemaFile, expected);
    expect(readFileSync(schemaFile, 'utf8')).toBe(expected);
  });
});
