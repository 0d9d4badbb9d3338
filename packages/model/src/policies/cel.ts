import type { Environment } from '@marcbachmann/cel-js';
import { celLib } from '../lazy-deps.js';
import type { FieldIssue } from '../errors.js';
import type { PolicyInput } from './context.js';

/**
 * The CEL environment every policy compiles against: the variables of PolicyInput with their
 * types, so a misspelt field or a string compared with a number is refused when the policy is
 * applied, not when a request arrives. No custom function is registered: an expression can only
 * read its inputs. Parse limits keep one expression small (GOVERNANCE: 10k nodes, depth 50).
 */
function policyEnvironment(): Environment {
  return new (celLib().Environment)({ limits: { maxAstNodes: 10_000, maxDepth: 50, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 } })
    .registerVariable({
      name: 'request',
      schema: { operation: 'string', name: 'string', product: 'string', version: 'string', plan: 'string', inputs: 'map', environment: 'string', service: 'string', interface: 'string', user: 'string' },
    })
    .registerVariable({ name: 'team', schema: { name: 'string', title: 'string', platform: 'bool' } })
    .registerVariable({ name: 'product', schema: { name: 'string', version: 'string', owner: 'string', lifecycle: 'string', driver: 'string', tags: 'list<string>' } })
    .registerVariable({ name: 'plan', schema: { name: 'string', values: 'map' } })
    .registerVariable({ name: 'environment', schema: { name: 'string', targetSelector: 'map' } })
    .registerVariable({ name: 'usage', schema: { team: 'int', product: 'int', plan: 'int', environment: 'int', inEnvironment: 'int' } });
}

let shared: Environment | undefined;
function environment(): Environment {
  shared ??= policyEnvironment();
  return shared;
}

/** A compiled expression: true means the request passes the rule. */
export type CompiledExpression = (input: CelInput) => unknown;

/** PolicyInput as CEL wants it (ints are BigInt); built once per request, shared by every policy. */
export type CelInput = Record<string, unknown>;

/**
 * Parses and type-checks one expression. Problems come back as issues at `path`, with the line
 * and column inside the expression ("spec.validations[0].expression:1:14").
 */
export function compileExpression(expression: string, path: string): { compiled: CompiledExpression } | { issue: FieldIssue } {
  try {
    const checked = environment().check(expression);
    if (!checked.valid) return { issue: located(path, expression, checked.error) };
    if (checked.type !== 'bool') return { issue: { path, message: `must be a boolean expression (true passes); this one is ${checked.type}` } };
    const parsed = environment().parse(expression);
    return { compiled: (input) => parsed(input) };
  } catch (error) {
    return { issue: located(path, expression, error) };
  }
}

function located(path: string, expression: string, error: unknown): FieldIssue {
  const e = error as { summary?: string; message?: string; range?: { start: number } } | undefined;
  const summary = e?.summary ?? e?.message?.split('\n')[0] ?? 'is not a valid CEL expression';
  const start = e?.range?.start;
  if (typeof start !== 'number') return { path, message: summary };
  const { line, column } = lineAndColumn(expression, start);
  return { path: `${path}:${line}:${column}`, message: `line ${line}, column ${column}: ${summary}` };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/** PolicyInput as CEL values: counts as BigInt (CEL ints), everything else as it is. */
export function celInput(input: PolicyInput): CelInput {
  const usage = input.usage;
  return {
    request: { ...input.request, inputs: celValue(input.request.inputs) },
    team: input.team,
    product: input.product,
    plan: { ...input.plan, values: celValue(input.plan.values) },
    environment: input.environment,
    usage: { team: BigInt(usage.team), product: BigInt(usage.product), plan: BigInt(usage.plan), environment: BigInt(usage.environment), inEnvironment: BigInt(usage.inEnvironment) },
  };
}

/** JSON as CEL sees it: whole numbers are ints (so `inputs.size == 10` holds), others doubles. */
function celValue(value: unknown): any {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(celValue);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, celValue(v)]));
  return value;
}
