import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '@paved/model';

/**
 * docs/errors.md is the catalogue of every error code a client of the HTTP API can meet. This
 * keeps it in step with the code: every `code: '…'` raised by the server, model, store and
 * secrets packages (and every error class's default code) must be listed, and every row of
 * errorCatalogue must appear with its status and exit code.
 */
const root = new URL('../../../../', import.meta.url).pathname;
const SCANNED = ['packages/server/src/api', 'packages/server/src/services', 'packages/model/src', 'packages/store/src', 'packages/secrets/src'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('test-harness.ts') ? [path] : [];
  });
}

function raisedCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of SCANNED.flatMap((dir) => sourceFiles(join(root, dir)))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\bcode: '([a-z_]+)'/g)) codes.set(match[1]!, file.slice(root.length));
    for (const match of text.matchAll(/super\(message, '([a-z_]+)'/g)) codes.set(match[1]!, file.slice(root.length));
  }
  return codes;
}

describe('docs/errors.md', () => {
  const docs = readFileSync(join(root, 'docs/errors.md'), 'utf8');

  it('lists every error code the API can answer with', () => {
    const codes = raisedCodes();
    // The scan itself must work, or this test would pass on nothing.
    for (const known of ['version_immutable', 'instance_not_found', 'invalid_input', 'unauthenticated', 'name_invalid', 'quota_exceeded']) {
      expect(codes.has(known), `scan found ${known}`).toBe(true);
    }
    const missing = [...codes].filter(([code]) => !docs.includes(`\`${code}\``)).map(([code, file]) => `${code} (${file})`);
    expect(missing, 'codes raised in the source but missing from docs/errors.md').toEqual([]);
  });

  it('has each errorCatalogue row with its HTTP status and CLI exit code', () => {
    for (const entry of Object.values(errorCatalogue)) {
      expect(docs, entry.kind).toContain(`| \`${entry.kind}\` | ${entry.status} | ${entry.exitCode} | ${entry.title} |`);
    }
  });
});
