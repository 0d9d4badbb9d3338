import type { ValidateFunction } from 'ajv/dist/2020.js';
import { InputError, type FieldIssue } from './errors.js';
import { linearRegExpProblem } from './linear-regexp.js';
import { ajvIssues, createAjv, toFieldIssues, type SegmentIssue } from './manifest-ajv.js';
import { productManifestSchema } from './manifest-schema.js';
import { NAME_PATTERN } from './names.js';
import type { ProductManifest } from './types.js';

const nameRe = new RegExp(NAME_PATTERN);

// Compiled on first use: importing @paved/model should not pay for a schema compile.
let manifestValidator: ValidateFunction<ProductManifest> | undefined;
// Compiles product authors' `spec.inputs` at parse time only to check them; nothing is kept.
let inputsChecker: ReturnType<typeof createAjv> | undefined;

function validator(): ValidateFunction<ProductManifest> {
  manifestValidator ??= createAjv().compile<ProductManifest>(productManifestSchema);
  return manifestValidator;
}

/**
 * Every problem with a product manifest, as path segments: the JSON Schema's, then the rules
 * that span fields. Semantic checks run only on parts whose shape is right, so one mistake is
 * reported once.
 */
export function collectManifestIssues(input: unknown): SegmentIssue[] {
  const validate = validator();
  if (validate(input)) return semanticIssues(input);
  const issues = ajvIssues(validate.errors);
  if (isObject(input) && isObject(input.spec)) issues.push(...semanticIssues(input as unknown as ProductManifest, true));
  return issues;
}

function semanticIssues(manifest: ProductManifest, partial = false): SegmentIssue[] {
  const issues: SegmentIssue[] = [];
  const spec = manifest.spec;
  for (const [segments, value] of [
    [['metadata', 'name'], manifest.metadata?.name],
    [['metadata', 'owner'], manifest.metadata?.owner],
    [['spec', 'driver'], spec.driver],
    ...Object.keys(isObject(spec.plans) ? spec.plans : {}).map((plan) => [['spec', 'plans', plan], plan] as const),
  ] as const) {
    // NAME_PATTERN cannot say "not ending in -" without a lookbehind, so that rule lives here.
    if (typeof value === 'string' && value.endsWith('-') && nameRe.test(value)) issues.push({ segments: [...segments], message: 'must not end with "-"' });
  }
  if (isObject(spec.plans)) issues.push(...planIssues(spec.plans));
  if (isObject(spec.inputs) && (!partial || spec.inputs.type === 'object')) issues.push(...inputSchemaIssues(spec.inputs));
  return issues;
}

/** One plan, or exactly one marked `default: true`: a request without a plan must mean one thing. */
function planIssues(plans: Record<string, unknown>): SegmentIssue[] {
  const names = Object.keys(plans);
  const defaults = names.filter((name) => isObject(plans[name]) && plans[name].default === true);
  if (defaults.length > 1) {
    return defaults.map((name) => ({
      segments: ['spec', 'plans', name, 'default'],
      message: `only one plan may be the default, but ${defaults.join(', ')} all are`,
    }));
  }
  if (defaults.length === 0 && names.length > 1) {
    return [{ segments: ['spec', 'plans'], message: `mark one of ${names.join(', ')} with "default: true" (requests that name no plan get it)` }];
  }
  return [];
}

/** `spec.inputs` must itself be a JSON Schema that compiles, or every request would fail later. */
function inputSchemaIssues(inputs: Record<string, unknown>): SegmentIssue[] {
  // Each pattern RE2 refuses is named by its path; Ajv would only say the schema failed.
  const refused = [...schemaPatterns(inputs, ['spec', 'inputs'])].flatMap(({ segments, pattern }) => {
    const problem = linearRegExpProblem(pattern);
    return problem ? [{ segments, message: problem }] : [];
  });
  if (refused.length > 0) return refused;
  inputsChecker ??= createAjv({ useDefaults: true });
  const schema = inputSchemaForCompile(inputs);
  try {
    inputsChecker.compile(schema);
    return [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [{ segments: ['spec', 'inputs'], message: `is not a valid JSON Schema: ${message}` }];
  } finally {
    inputsChecker.removeSchema(schema);
  }
}

// Keywords whose values are data, not schemas: a "pattern" inside them is not a regular expression.
const DATA_KEYWORDS = new Set(['default', 'const', 'enum', 'examples']);
// Keywords whose keys are names chosen by the author, each mapping to a schema.
const NAMED_SCHEMAS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** Every regular expression in a JSON Schema: `pattern` values and `patternProperties` keys, with their paths. */
function* schemaPatterns(node: unknown, segments: string[], keysAreNames = false): Generator<{ segments: string[]; pattern: string }> {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) yield* schemaPatterns(item, [...segments, String(index)]);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const at = [...segments, key];
    if (keysAreNames) {
      yield* schemaPatterns(value, at);
    } else if (key === 'pattern' && typeof value === 'string') {
      yield { segments: at, pattern: value };
    } else if (!DATA_KEYWORDS.has(key)) {
      if (key === 'patternProperties' && isObject(value)) for (const pattern of Object.keys(value)) yield { segments: [...at, pattern], pattern };
      yield* schemaPatterns(value, at, NAMED_SCHEMAS.has(key));
    }
  }
}

/**
 * The copy of `spec.inputs` that Paved compiles: without `$id` (two versions of one product
 * would otherwise clash in a shared Ajv, and Paved resolves no remote references) and without
 * a `$schema` naming draft 2020-12, the only dialect accepted.
 */
export function inputSchemaForCompile(inputs: Record<string, unknown>): Record<string, unknown> {
  const { $id: _id, ...rest } = inputs;
  if (rest.$schema === 'https://json-schema.org/draft/2020-12/schema') delete rest.$schema;
  return rest;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "file: " or "" for messages. */
function where(file: string | undefined): string {
  return file ? `${file}: ` : '';
}

/** Builds the InputError for a list of problems: the message alone lets an author fix the file. */
export function manifestInvalid(issues: FieldIssue[], lines: string[], file: string | undefined): InputError {
  const count = issues.length === 1 ? 'a problem' : `${issues.length} problems`;
  return new InputError(`${where(file)}the product manifest has ${count}:\n${lines.map((line) => `  ${line}`).join('\n')}`, {
    code: 'manifest_invalid',
    issues,
  });
}

/**
 * Validates a product manifest (already parsed from YAML or JSON) and returns it typed. Throws
 * InputError (code manifest_invalid) listing every problem at once, each with its dotted path.
 */
export function parseProductManifest(input: unknown, source: { file?: string } = {}): ProductManifest {
  const issues = collectManifestIssues(input);
  if (issues.length === 0) return input as ProductManifest;
  const fieldIssues = toFieldIssues(issues);
  const lines = fieldIssues.map((issue) => `${issue.path}: ${issue.message}`);
  throw manifestInvalid(fieldIssues, lines, source.file);
}
