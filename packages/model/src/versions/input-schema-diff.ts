import { canonicalJson } from '../manifest-digest.js';
import type { VersionChange } from './version-change.js';

/**
 * Compares two versions of a product's `spec.inputs` (a JSON Schema) from the requester's side:
 * a request that the old schema accepted must still be accepted, so anything that shrinks the
 * set of valid requests is breaking (oasdiff's request rules: new required property, enum value
 * removed, type changed, min raised / max lowered, pattern added) and anything that grows it is
 * not. Pure: schemas in, changes out. Keywords it does not understand are compared for equality
 * and reported as breaking when they change, because "we could not prove it safe" must not pass.
 */
export function diffInputSchema(from: unknown, to: unknown, path = 'inputs'): VersionChange[] {
  const changes: VersionChange[] = [];
  compareSchema(asSchema(from), asSchema(to), path, changes);
  return changes;
}

type Schema = Record<string, unknown>;

function asSchema(value: unknown): Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Schema) : {};
}

const breaking = (path: string, message: string): VersionChange => ({ path, breaking: true, message });
const compatible = (path: string, message: string): VersionChange => ({ path, breaking: false, message });

/** Lower bounds: raising one (or adding one) rejects values that passed before. */
const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const;
/** Upper bounds: lowering one (or adding one) rejects values that passed before. */
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const;
/** Keywords whose any change may reject a value that passed before. */
const EXACT = ['pattern', 'format', 'const', 'multipleOf'] as const;
/** Keywords that only describe: a change never rejects a request. */
const DESCRIPTIVE = new Set(['title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$comment', '$id', '$schema']);
/** Keywords handled by a dedicated rule below. */
const HANDLED = new Set<string>([
  ...LOWER_BOUNDS, ...UPPER_BOUNDS, ...EXACT, 'type', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'uniqueItems',
]);

function compareSchema(from: Schema, to: Schema, path: string, out: VersionChange[]): void {
  compareType(from, to, path, out);
  compareEnum(from, to, path, out);
  for (const key of LOWER_BOUNDS) compareBound(from, to, key, 'lower', path, out);
  for (const key of UPPER_BOUNDS) compareBound(from, to, key, 'upper', path, out);
  for (const key of EXACT) compareExact(from, to, key, path, out);
  if (from.uniqueItems !== true && to.uniqueItems === true) out.push(breaking(`${path}.uniqueItems`, 'added'));
  if (from.uniqueItems === true && to.uniqueItems !== true) out.push(compatible(`${path}.uniqueItems`, 'removed'));
  compareProperties(from, to, path, out);
  compareAdditionalProperties(from, to, path, out);
  if (from.items !== undefined || to.items !== undefined) {
    if (to.items === undefined) out.push(compatible(`${path}.items`, 'removed'));
    else if (from.items === undefined) out.push(breaking(`${path}.items`, 'added'));
    else compareSchema(asSchema(from.items), asSchema(to.items), `${path}.items`, out);
  }
  compareOther(from, to, path, out);
}

function typesOf(schema: Schema): string[] | undefined {
  const { type } = schema;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return undefined;
}

/** `integer` is a subset of `number`: number → integer narrows, integer → number widens. */
function accepts(types: string[], type: string): boolean {
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

function compareType(from: Schema, to: Schema, path: string, out: VersionChange[]): void {
  const before = typesOf(from);
  const after = typesOf(to);
  if (before === undefined && after === undefined) return;
  const show = (types: string[] | undefined) => (types === undefined ? 'any' : types.join(' | '));
  if (after === undefined) {
    out.push(compatible(`${path}.type`, `widened from ${show(before)} to any`));
    return;
  }
  const lost = (before ?? ['array', 'boolean', 'null', 'number', 'object', 'string']).filter((t) => !accepts(after, t));
  const gained = after.filter((t) => before === undefined || !accepts(before, t));
  if (lost.length > 0) out.push(breaking(`${path}.type`, `changed from ${show(before)} to ${show(after)}`));
  else if (gained.length > 0) out.push(compatible(`${path}.type`, `widened from ${show(before)} to ${show(after)}`));
}

function compareEnum(from: Schema, to: Schema, path: string, out: VersionChange[]): void {
  const before = Array.isArray(from.enum) ? from.enum : undefined;
  const after = Array.isArray(to.enum) ? to.enum : undefined;
  if (before === undefined && after === undefined) return;
  if (after === undefined) {
    out.push(compatible(`${path}.enum`, 'removed (any value allowed)'));
    return;
  }
  if (before === undefined) {
    out.push(breaking(`${path}.enum`, `added (only ${list(after)} allowed)`));
    return;
  }
  const key = (v: unknown) => JSON.stringify(v);
  const afterKeys = new Set(after.map(key));
  const beforeKeys = new Set(before.map(key));
  const removed = before.filter((v) => !afterKeys.has(key(v)));
  const added = after.filter((v) => !beforeKeys.has(key(v)));
  if (removed.length > 0) out.push(breaking(`${path}.enum`, `removed ${list(removed)}`));
  if (added.length > 0) out.push(compatible(`${path}.enum`, `added ${list(added)}`));
}

function compareBound(from: Schema, to: Schema, key: string, side: 'lower' | 'upper', path: string, out: VersionChange[]): void {
  const before = typeof from[key] === 'number' ? (from[key] as number) : undefined;
  const after = typeof to[key] === 'number' ? (to[key] as number) : undefined;
  if (before === after) return;
  const where = `${path}.${key}`;
  if (after === undefined) out.push(compatible(where, `removed (was ${before})`));
  else if (before === undefined) out.push(breaking(where, `added (${after})`));
  else if (after > before) out.push((side === 'lower' ? breaking : compatible)(where, `raised from ${before} to ${after}`));
  else out.push((side === 'upper' ? breaking : compatible)(where, `lowered from ${before} to ${after}`));
}

function compareExact(from: Schema, to: Schema, key: string, path: string, out: VersionChange[]): void {
  const before = from[key];
  const after = to[key];
  if (same(before, after)) return;
  const where = `${path}.${key}`;
  if (after === undefined) out.push(compatible(where, `removed (was ${show(before)})`));
  else if (before === undefined) out.push(breaking(where, `added (${show(after)})`));
  else out.push(breaking(where, `changed from ${show(before)} to ${show(after)}`));
}

function compareProperties(from: Schema, to: Schema, path: string, out: VersionChange[]): void {
  const before = asSchema(from.properties);
  const after = asSchema(to.properties);
  const requiredBefore = new Set(stringList(from.required));
  const requiredAfter = new Set(stringList(to.required));
  const names = [...new Set([...Object.keys(before), ...Object.keys(after), ...requiredAfter])].sort();
  for (const name of names) {
    const where = `${path}.properties.${name}`;
    const had = name in before;
    const has = name in after;
    if (requiredAfter.has(name) && !requiredBefore.has(name)) {
      out.push(breaking(where, had || !has ? 'became required' : 'added as required'));
    } else if (!requiredAfter.has(name) && requiredBefore.has(name)) {
      out.push(compatible(where, 'became optional'));
    }
    if (had && has) compareSchema(asSchema(before[name]), asSchema(after[name]), where, out);
    else if (had) out.push(compatible(where, 'removed'));
    else if (has && !requiredAfter.has(name)) out.push(compatible(where, 'added'));
  }
}

function compareAdditionalProperties(from: Schema, to: Schema, path: string, out: VersionChange[]): void {
  const before = from.additionalProperties;
  const after = to.additionalProperties;
  if (same(before, after)) return;
  const where = `${path}.additionalProperties`;
  const open = (v: unknown) => v === undefined || v === true;
  if (open(after)) {
    if (!open(before)) out.push(compatible(where, 'now allowed'));
  } else if (after === false) {
    out.push(breaking(where, 'now false (unknown inputs are refused)'));
  } else if (before === false) {
    out.push(compatible(where, 'now allowed when valid'));
  } else if (open(before)) {
    out.push(breaking(where, 'now restricted'));
  } else {
    compareSchema(asSchema(before), asSchema(after), where, out);
  }
}

/** Any other keyword (allOf, oneOf, not, if/then, $ref, patternProperties…): a change may narrow. */
function compareOther(from: Schema, to: Schema, path: string, out: VersionChange[]): void {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].filter((k) => !HANDLED.has(k)).sort();
  for (const key of keys) {
    if (same(from[key], to[key])) continue;
    const where = `${path}.${key}`;
    if (DESCRIPTIVE.has(key)) out.push(compatible(where, 'changed'));
    else if (to[key] === undefined) out.push(compatible(where, 'removed'));
    else out.push(breaking(where, from[key] === undefined ? 'added' : 'changed'));
  }
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function same(a: unknown, b: unknown): boolean {
  return a === b || (a !== undefined && b !== undefined && canonicalJson(a) === canonicalJson(b));
}

function show(value: unknown): string {
  return JSON.stringify(value);
}

function list(values: unknown[]): string {
  return values.map(show).join(', ');
}
