import type { Ajv2020, ErrorObject, Options } from 'ajv/dist/2020.js';
import { ajvLib } from './lazy-deps.js';
import type { FieldIssue } from './errors.js';
import { linearRegExp } from './linear-regexp.js';
import { NAME_PATTERN } from './names.js';
import { DURATION_PATTERN, OUTPUT_NAME_PATTERN, TAG_PATTERN } from './manifest-schema.js';
import { SEMVER_PATTERN } from './semver.js';

/**
 * An Ajv for draft 2020-12 with the standard formats. `verbose` keeps the failing schema on each
 * error so messages can list allowed values and suggest the field the author meant. Strict
 * schema mode turns a misspelt keyword in a product's `spec.inputs` ("defualt") into an error
 * at publish time instead of a constraint that silently does nothing. Every `pattern` runs on
 * RE2 (linear-regexp.ts): a publisher's pattern must not be able to stall the server.
 */
export function createAjv(options: Options = {}): Ajv2020 {
  const { Ajv2020, addFormats } = ajvLib();
  const ajv = new Ajv2020({
    allErrors: true, verbose: true, strictSchema: true, strictTypes: false, strictTuples: false, strictRequired: false,
    code: { regExp: linearRegExp },
    ...options,
  });
  addFormats(ajv);
  return ajv;
}

/** A problem at a path given as segments, so callers can both print it and find it in a YAML document. */
export interface SegmentIssue {
  segments: string[];
  message: string;
}

export function dottedPath(segments: readonly (string | number)[]): string {
  return segments.join('.');
}

export function toFieldIssues(issues: readonly SegmentIssue[], prefix: readonly string[] = []): FieldIssue[] {
  return issues.map((issue) => ({ path: dottedPath([...prefix, ...issue.segments]) || '(document)', message: issue.message }));
}

/** Turns Ajv's errors into one plain-words issue per problem, in schema order, without duplicates. */
export function ajvIssues(errors: readonly ErrorObject[] | null | undefined): SegmentIssue[] {
  const issues: SegmentIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    const issue = describe(error);
    if (!issue) continue;
    const key = `${dottedPath(issue.segments)}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const NAME_RULE = 'lowercase letters, digits and "-", starting with a letter, at most 40 characters';

function describe(error: ErrorObject): SegmentIssue | undefined {
  const segments = pointerSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  // An error inside `propertyNames` carries the offending key; the wrapping error repeats it.
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    return { segments: [...segments, propertyName], message: `is not a valid name: ${patternRule(params.pattern)}` };
  }
  switch (error.keyword) {
    case 'propertyNames':
      return undefined;
    case 'required':
      return { segments: [...segments, String(params.missingProperty)], message: 'is required' };
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const guess = closest(field, known);
      const hint = guess ? `; did you mean "${guess}"?` : known.length > 0 ? ` (known fields: ${known.join(', ')})` : '';
      return { segments: [...segments, field], message: `is not a known field${hint}` };
    }
    case 'type': {
      // YAML reads `version: 1.0` as a number: the fix is quotes, so say so.
      const quoteHint = params.type === 'string' && (typeof error.data === 'number' || typeof error.data === 'boolean') ? ' (put the value in quotes)' : '';
      return { segments, message: `must be ${article(String(params.type))}${quoteHint}` };
    }
    case 'const':
      return { segments, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'enum':
      return { segments, message: `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'pattern':
      return { segments, message: `must be ${patternRule(params.pattern)}` };
    case 'format':
      return { segments, message: `must be a valid ${String(params.format)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { segments, message: `must be ${comparisonWords(String(params.comparison))} ${String(params.limit)}` };
    case 'minLength':
      return { segments, message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long` };
    case 'maxLength':
      return { segments, message: `must be at most ${String(params.limit)} characters long` };
    case 'minProperties':
      return { segments, message: `must have at least ${String(params.limit)} ${params.limit === 1 ? 'entry' : 'entries'}` };
    case 'minItems':
      return { segments, message: `must have at least ${String(params.limit)} item(s)` };
    case 'maxItems':
      return { segments, message: `must have at most ${String(params.limit)} item(s)` };
    case 'uniqueItems':
      return { segments, message: `must not repeat an item (items ${String(params.j)} and ${String(params.i)} are equal)` };
    default:
      return { segments, message: error.message ?? `fails "${error.keyword}"` };
  }
}

function patternRule(pattern: unknown): string {
  if (pattern === NAME_PATTERN) return `a name: ${NAME_RULE}`;
  if (pattern === SEMVER_PATTERN) return 'a semantic version such as 1.0.0 or 2.1.0-beta.1';
  if (pattern === OUTPUT_NAME_PATTERN) return 'letters, digits and "_", starting with a lowercase letter, at most 63 characters';
  if (pattern === TAG_PATTERN) return 'lowercase letters, digits and "-", at most 40 characters';
  if (pattern === DURATION_PATTERN) return 'a duration such as 500ms, 5s, 2m or 1h';
  return `a string matching ${String(pattern)}`;
}

function article(type: string): string {
  if (type.includes(',')) return `one of these types: ${type}`;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function comparisonWords(comparison: string): string {
  return { '>=': 'at least', '<=': 'at most', '>': 'greater than', '<': 'less than' }[comparison] ?? comparison;
}

/** The known field nearest to a misspelt one (edit distance ≤ 2), to suggest it. */
function closest(field: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(field.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
