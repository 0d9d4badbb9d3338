import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

const require = createRequire(import.meta.url);
let yaml: typeof Yaml | undefined;

/**
 * The yaml library, loaded on first use: most commands never print or read YAML, and loading it
 * was a sixth of `paved --help`'s start-up (bench/footprint.mjs). Synchronous, like yaml's API.
 */
export const yamlLib = (): typeof Yaml => (yaml ??= require('yaml') as typeof Yaml);
