import type * as Yaml from 'yaml';

let yaml: typeof Yaml | undefined;

/**
 * The yaml library, loaded on first use: most commands never print or read YAML, and loading it
 * was a sixth of `paved --help`'s start-up (bench/footprint.mjs). Synchronous, like yaml's API.
 * node:module is taken on first use too: it loads Node's ES module loader's modules with it,
 * ≈ 1 ms of every command that loads this one (bench/README.md §9).
 */
export const yamlLib = (): typeof Yaml => (yaml ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)('yaml') as typeof Yaml);
