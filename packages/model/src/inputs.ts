import type { ValidateFunction } from 'ajv/dist/2020.js';
import { ConflictError, InputError } from './errors.js';
import { ajvIssues, createAjv, toFieldIssues } from './manifest-ajv.js';
import { manifestDigest } from './manifest-digest.js';
import { inputSchemaForCompile, isObject } from './manifest-parse.js';
import { resolvePlan } from './manifest-plans.js';
import type { ProductManifest } from './types.js';

/**
 * Requesters' inputs are validated on every request and resolved on every reconcile, so the
 * compiled validator of each product version is cached: first by manifest object (no hashing
 * when the caller keeps the object), then by digest (the store hands out a fresh object per
 * read). The digest cache is bounded; an evicted validator is also removed from Ajv, which
 * would otherwise keep every schema it ever compiled.
 */
const MAX_CACHED = 256;
// Created on first use: importing @paved/model should not pay for Ajv (lazy-deps.ts).
let shared: ReturnType<typeof createAjv> | undefined;
const sharedAjv = () => (shared ??= createAjv({ useDefaults: true }));
const byObject = new WeakMap<ProductManifest, ValidateFunction>();
const byDigest = new Map<string, { validate: ValidateFunction; schema: object }>();

function inputValidator(manifest: ProductManifest): ValidateFunction {
  const known = byObject.get(manifest);
  if (known) return known;
  const digest = manifestDigest(manifest);
  let entry = byDigest.get(digest);
  if (entry) {
    // Refresh its place so the most used versions stay.
    byDigest.delete(digest);
  } else {
    const schema = inputSchemaForCompile(manifest.spec.inputs);
    entry = { validate: compileStored(manifest, schema), schema };
  }
  byDigest.set(digest, entry);
  if (byDigest.size > MAX_CACHED) {
    const [oldest, evicted] = byDigest.entries().next().value!;
    byDigest.delete(oldest);
    sharedAjv().removeSchema(evicted.schema);
  }
  byObject.set(manifest, entry.validate);
  return entry.validate;
}

/**
 * Publishing checks that `spec.inputs` compiles, so this fails only for a version published
 * under older rules (a pattern RE2 refuses): its owners must publish a new version.
 */
function compileStored(manifest: ProductManifest, schema: object): ValidateFunction {
  try {
    return sharedAjv().compile(schema);
  } catch (error) {
    sharedAjv().removeSchema(schema);
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConflictError(
      `product "${manifest.metadata.name}" ${manifest.spec.version} has input rules this server cannot run (${reason}); its owners must publish a new version`,
      { code: 'product_inputs_unsupported', issues: [{ path: 'spec.inputs', message: reason }] },
    );
  }
}

/**
 * A deep copy of data parsed from JSON or YAML (inputs, a plan's values): plain objects, arrays
 * and primitives copied directly, anything else by structuredClone, as before. structuredClone
 * serialises and deserialises even a one-key object (about 0.8 µs against 0.05), and the engine
 * resolves an instance's values on every pass. A key named `__proto__` also goes to
 * structuredClone, which copies it as an own property where an assignment would not.
 */
function copyOfData(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyOfData);
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return structuredClone(value);
    copy[key] = copyOfData((value as Record<string, unknown>)[key]);
  }
  return copy;
}

/**
 * Validates a requester's inputs against the product's `spec.inputs` and returns a copy with
 * the schema's defaults filled in. Throws InputError (code inputs_invalid) listing every
 * problem under `inputs.<path>`. Missing inputs mean `{}`.
 */
export function validateInputs(manifest: ProductManifest, inputs: unknown): Record<string, unknown> {
  const product = `product "${manifest.metadata.name}" ${manifest.spec.version}`;
  if (inputs === undefined || inputs === null) inputs = {};
  if (!isObject(inputs)) {
    throw new InputError(`inputs for ${product} must be an object`, { code: 'inputs_invalid', issues: [{ path: 'inputs', message: 'must be an object' }] });
  }
  // useDefaults writes into the value it validates: never into the caller's object.
  const copy = copyOfData(inputs) as Record<string, unknown>;
  const validate = inputValidator(manifest);
  if (validate(copy)) return copy;
  const issues = toFieldIssues(ajvIssues(validate.errors), ['inputs']);
  const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n');
  throw new InputError(`inputs for ${product} are invalid:\n${lines}`, { code: 'inputs_invalid', issues });
}

/**
 * The values handed to the driver: the input schema's defaults, overridden by the requester's
 * inputs, overridden by the plan's values (top-level keys; the plan's are the platform team's
 * limits, so a requester cannot lift them). Throws like validateInputs and resolvePlan.
 */
export function resolveInstanceValues(manifest: ProductManifest, plan: string, inputs: unknown): Record<string, unknown> {
  const planName = resolvePlan(manifest, plan);
  const values = validateInputs(manifest, inputs);
  const planValues = manifest.spec.plans[planName]?.values ?? {};
  return { ...values, ...(copyOfData(planValues) as Record<string, unknown>) };
}
