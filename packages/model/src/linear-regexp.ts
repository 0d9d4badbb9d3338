import { re2js } from './lazy-deps.js';
import type { RegExpEngine } from 'ajv/dist/types/index.js';

/**
 * Patterns in product manifests come from publishers, and the values they test come from
 * requesters. JavaScript's RegExp backtracks: `^(a|a)+$` against 30 characters froze the
 * process for seconds. RE2 semantics (through re2js, pure JS) match in time linear in the input
 * and refuse what cannot be matched that way (backreferences, lookaround), so every JSON Schema
 * `pattern` and `patternProperties` key Paved compiles runs here, never in RegExp.
 */
export const linearRegExp: RegExpEngine = Object.assign(
  // Ajv passes "u" (Unicode mode); RE2 always matches by code point, so the flag adds nothing.
  (pattern: string, _flags: string) => re2js().compile(pattern),
  // Only used by Ajv's standalone code generation, which Paved does not use.
  { code: 'require("re2js").RE2JS.compile' },
);

/** Why RE2 cannot run `pattern`, in words for a publisher; undefined when it can. */
export function linearRegExpProblem(pattern: string): string | undefined {
  try {
    re2js().compile(pattern);
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    return `is not a pattern Paved can match in linear time (${reason}); patterns use RE2 syntax: no backreferences, lookahead or lookbehind`;
  }
}
