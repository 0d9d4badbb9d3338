import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CodeCache, codeCacheDir } from './code-cache.js';

let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

// A function called while the script runs, so the cache holds more than the top level.
const source = (n: number) => `(function () { function answer() { return ${n}; } return answer() + answer(); })`;
const run = (cache: CodeCache, text: string) => {
  const script = cache.compile(text, '/bundle/chunk-abc.cjs');
  return { value: (script.runInThisContext() as () => number)(), script };
};

/** Compiles and runs `text` once with an empty cache, and writes its entry: the entry's file. */
function cached(text: string): string {
  dir = mkdtempSync(join(tmpdir(), 'paved-code-cache-'));
  const cache = new CodeCache(dir);
  expect(run(cache, text).script.cachedDataRejected).toBeUndefined(); // nothing to offer yet
  cache.flush();
  expect(readdirSync(dir)).toEqual(['chunk-abc.cjs.bin']);
  return join(dir, 'chunk-abc.cjs.bin');
}

describe('V8 code cache', () => {
  it('is per Node version and architecture, under PAVED_CODE_CACHE_DIR, XDG_CACHE_HOME or ~/.cache', () => {
    const tail = `node-${process.version}-${process.arch}`;
    expect(codeCacheDir({ PAVED_CODE_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe(`/c/${tail}`);
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe(`/x/paved/code-cache/${tail}`);
    expect(codeCacheDir({ HOME: '/h' })).toBe(`/h/.cache/paved/code-cache/${tail}`);
  });

  it('compiles a script with the code an earlier run cached', () => {
    cached(source(21));
    const cache = new CodeCache(dir!);
    const { value, script } = run(cache, source(21));
    expect(script.cachedDataRejected).toBe(false); // offered and accepted
    expect(value).toBe(42);
  });

  it('never uses an entry made from another source, even of the same length', () => {
    cached(source(21));
    const { value, script } = run(new CodeCache(dir!), source(12));
    expect(script.cachedDataRejected).toBeUndefined(); // not offered to V8
    expect(value).toBe(24);
  });

  it('rejects a damaged or truncated entry, and writes it anew', () => {
    const file = cached(source(21));
    const entry = readFileSync(file);
    const damaged = Buffer.from(entry);
    damaged[damaged.length >> 1] ^= 0xff; // V8 alone would accept this (no checksum in release builds)
    for (const bad of [damaged, entry.subarray(0, entry.length >> 1), entry.subarray(0, 5), Buffer.alloc(0)]) {
      writeFileSync(file, bad);
      const cache = new CodeCache(dir!);
      const { value, script } = run(cache, source(21));
      expect(script.cachedDataRejected).toBeUndefined();
      expect(value).toBe(42);
      cache.flush();
      expect(readFileSync(file).equals(bad)).toBe(false);
      expect(run(new CodeCache(dir!), source(21)).script.cachedDataRejected).toBe(false);
    }
  });

  it('runs without a cache when its folder cannot be written', () => {
    dir = mkdtempSync(join(tmpdir(), 'paved-code-cache-'));
    writeFileSync(join(dir, 'file'), '');
    const cache = new CodeCache(join(dir, 'file', 'sub')); // a file where a folder should be
    expect(run(cache, source(21)).value).toBe(42);
    expect(() => cache.flush()).not.toThrow();
  });
});
