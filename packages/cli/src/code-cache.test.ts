import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CodeCache, codeCacheDir } from './code-cache.js';

let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

// A function called while the script runs, so the cache holds more than the top level.
const source = (n: number) => `(function () { function answer() { return ${n}; } return answer() + answer(); })`;
// The cache folder and, beside it, the bundle's folder with the chunk compiled.
const cacheDir = () => join(dir!, 'cache');
const run = (cache: CodeCache, text: string) => {
  const script = cache.compile(text, join(dir!, 'bundle', 'chunk-abc.cjs'));
  return { value: (script.runInThisContext() as () => number)(), script };
};

/** Compiles and runs `text` once with an empty cache, and writes its entry: the entry's file. */
function cached(text: string): string {
  dir = mkdtempSync(join(tmpdir(), 'paved-code-cache-'));
  mkdirSync(join(dir, 'bundle'));
  writeFileSync(join(dir, 'bundle', 'chunk-abc.cjs'), text);
  const cache = new CodeCache(cacheDir());
  expect(run(cache, text).script.cachedDataRejected).toBeUndefined(); // nothing to offer yet
  cache.flush();
  expect(readdirSync(cacheDir())).toEqual(['chunk-abc.cjs.bin']);
  return join(cacheDir(), 'chunk-abc.cjs.bin');
}

describe('V8 code cache', () => {
  it('is per Node version, architecture and bundle, under PAVED_CODE_CACHE_DIR, XDG_CACHE_HOME or ~/.cache', () => {
    const tail = new RegExp(`/node-${process.version.replace(/\./g, '\\.')}-${process.arch}-[0-9a-f]{8}$`);
    expect(codeCacheDir({ PAVED_CODE_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }, '/b')).toMatch(new RegExp(`^/c${tail.source}`));
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }, '/b')).toMatch(new RegExp(`^/x/paved/code-cache${tail.source}`));
    expect(codeCacheDir({ HOME: '/h' }, '/b')).toMatch(new RegExp(`^/h/\\.cache/paved/code-cache${tail.source}`));
    expect(codeCacheDir({ HOME: '/h' }, '/b')).toBe(codeCacheDir({ HOME: '/h' }, '/b'));
    expect(codeCacheDir({ HOME: '/h' }, '/other/b')).not.toBe(codeCacheDir({ HOME: '/h' }, '/b'));
  });

  it('compiles a script with the code an earlier run cached', () => {
    cached(source(21));
    const cache = new CodeCache(cacheDir());
    const { value, script } = run(cache, source(21));
    expect(script.cachedDataRejected).toBe(false); // offered and accepted
    expect(value).toBe(42);
  });

  it('never uses an entry made from another source, even of the same length', () => {
    cached(source(21));
    const { value, script } = run(new CodeCache(cacheDir()), source(12));
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
      const cache = new CodeCache(cacheDir());
      const { value, script } = run(cache, source(21));
      expect(script.cachedDataRejected).toBeUndefined();
      expect(value).toBe(42);
      cache.flush();
      expect(readFileSync(file).equals(bad)).toBe(false);
      expect(run(new CodeCache(cacheDir()), source(21)).script.cachedDataRejected).toBe(false);
    }
  });

  it('drops the entries of chunks no longer in the bundle when it writes one', () => {
    const file = cached(source(21));
    writeFileSync(join(cacheDir(), 'chunk-old.cjs.bin'), 'an earlier build');
    writeFileSync(join(cacheDir(), 'chunk-abc.cjs.bin.123.tmp'), 'a killed process');
    const cache = new CodeCache(cacheDir());
    run(cache, source(12)); // another source: its entry is written at flush
    cache.flush();
    expect(readdirSync(cacheDir())).toEqual([basename(file)]);
  });

  it('runs without a cache when its folder cannot be written', () => {
    dir = mkdtempSync(join(tmpdir(), 'paved-code-cache-'));
    writeFileSync(join(dir, 'file'), '');
    const cache = new CodeCache(join(dir, 'file', 'sub')); // a file where a folder should be
    expect(run(cache, source(21)).value).toBe(42);
    expect(() => cache.flush()).not.toThrow();
  });
});
