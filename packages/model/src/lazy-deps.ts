import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type * as Ajv2020Module from 'ajv/dist/2020.js';
import type * as Re2js from 're2js';
import type * as Cel from '@marcbachmann/cel-js';

/**
 * The heavy libraries of @paved/model, loaded on first use. Every package imports
 * @paved/model, the CLI's `paved --help` and `paved get` included, and loading yaml, Ajv and
 * its formats took most of their start-up; they are needed only to parse manifests and Score
 * files or validate inputs. Node's require loads them synchronously, so the functions that use
 * them stay synchronous.
 */
const require = createRequire(import.meta.url);

let yaml: typeof Yaml | undefined;
export const yamlLib = (): typeof Yaml => (yaml ??= require('yaml') as typeof Yaml);

let ajv: { Ajv2020: typeof Ajv2020Module.Ajv2020; addFormats: (ajv: Ajv2020Module.Ajv2020) => unknown } | undefined;
export const ajvLib = () => (ajv ??= {
  Ajv2020: (require('ajv/dist/2020.js') as typeof Ajv2020Module).Ajv2020,
  addFormats: (require('ajv-formats') as { default: (ajv: Ajv2020Module.Ajv2020) => unknown }).default,
});

let re2: typeof Re2js.RE2JS | undefined;
export const re2js = (): typeof Re2js.RE2JS => (re2 ??= (require('re2js') as typeof Re2js).RE2JS);

// CEL: only policies use it, and the CLI loads @paved/model on every command (136 KB of code).
// An ES module: Node ≥ 20.19 requires it synchronously, so policy compilation stays synchronous.
let cel: typeof Cel | undefined;
export const celLib = (): typeof Cel => (cel ??= require('@marcbachmann/cel-js') as typeof Cel);

// node:crypto (≈ 8 ms to load): only hashing and signatures need it, not every command.
export const nodeCrypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

// yaml's functions, as the modules that parse YAML call them.
export const isMap = ((node: unknown) => yamlLib().isMap(node)) as typeof Yaml.isMap;
export const isScalar = ((node: unknown) => yamlLib().isScalar(node)) as typeof Yaml.isScalar;
export const isSeq = ((node: unknown) => yamlLib().isSeq(node)) as typeof Yaml.isSeq;
export const parseAllDocuments = ((...args: Parameters<typeof Yaml.parseAllDocuments>) => yamlLib().parseAllDocuments(...args)) as typeof Yaml.parseAllDocuments;
export const parseDocument = ((...args: Parameters<typeof Yaml.parseDocument>) => yamlLib().parseDocument(...args)) as typeof Yaml.parseDocument;
export const newLineCounter = (): Yaml.LineCounter => new (yamlLib().LineCounter)();
