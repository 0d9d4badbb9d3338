import { CodeCache, codeCacheDir } from './code-cache.js';

// Not `import`ed: see code-cache.ts.
const { readFileSync } = process.getBuiltinModule('node:fs');
const { dirname, join } = process.getBuiltinModule('node:path');

/**
 * Runs the CLI's bundle (dist/bundle/, CommonJS chunks made by rolldown.config.mjs): a CommonJS
 * loader of its own for the chunks, so they compile through V8's code cache (code-cache.ts), which
 * Node 20 offers for scripts but not for ES modules. A chunk requires its sibling chunks
 * (`./name.cjs`), loaded here; the modules in `loaded` (ES modules the caller has imported), as
 * they are; Node's own modules as require gives them (process.getBuiltinModule); everything else
 * (@paved/platform, yaml) with Node's own require from the bundle's folder, as any CommonJS module
 * there would, made on first use: node:module loads Node's ES module loader's modules with it,
 * ≈ 1 ms that `paved get` and `--help` do without (bench/README.md §9).
 */
interface Chunk {
  exports: Record<string, unknown>;
}

// The chunk's text inside the function Node wraps every CommonJS module in.
const wrap = (source: string) => `(function (exports, require, module, __filename, __dirname) {${source}\n})`;

export function requireBundle(entry: string, loaded: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const dir = dirname(entry);
  const cache = new CodeCache(codeCacheDir(env, dir));
  let nodeRequire: NodeJS.Require | undefined;
  const requireOutside = (specifier: string) => process.getBuiltinModule(specifier)
    ?? (nodeRequire ??= process.getBuiltinModule('node:module').createRequire(entry))(specifier);
  const chunks = new Map<string, Chunk>();

  const load = (file: string): Record<string, unknown> => {
    let chunk = chunks.get(file);
    if (chunk) return chunk.exports;
    // Registered before it runs: chunks that require each other get the exports made so far, as in Node.
    chunk = { exports: {} };
    chunks.set(file, chunk);
    const run = cache.compile(wrap(readFileSync(file, 'utf8')), file).runInThisContext() as (...args: unknown[]) => void;
    const require = (specifier: string) => (specifier.startsWith('./') ? load(join(dir, specifier)) : loaded[specifier] ?? requireOutside(specifier));
    try {
      run.call(chunk.exports, chunk.exports, require, chunk, file, dir);
    } catch (error) {
      chunks.delete(file); // As Node does: a chunk that failed is not half-loaded for the next require.
      throw error;
    }
    return chunk.exports;
  };
  return load(entry);
}
