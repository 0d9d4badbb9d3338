import { InputError } from '@paved/model';

/** A `--set` value: JSON when it parses (numbers, booleans, arrays, objects, null), otherwise the raw string. */
export function parseSetValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const forbidden = new Set(['__proto__', 'prototype', 'constructor']);

/** Turns `key=value` pairs into an inputs object; dotted keys make nested objects (`a.b=1` → {a:{b:1}}). */
export function parseSetValues(pairs: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? '' : pair.slice(0, eq);
    const segments = key.split('.');
    if (eq <= 0 || segments.some((s) => s === '' || forbidden.has(s))) {
      throw new InputError(`--set expects key=value (got "${pair}")`, {
        code: 'set_invalid', issues: [{ path: '--set', message: `"${pair}" is not key=value with a dotted key such as extensions=["citext"] or limits.cpu=2` }],
      });
    }
    let node: Record<string, unknown> = result;
    for (const segment of segments.slice(0, -1)) {
      const next = node[segment];
      if (next === undefined) node = node[segment] = {};
      else if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
      else throw conflict(key);
    }
    const last = segments.at(-1)!;
    if (typeof node[last] === 'object' && node[last] !== null && !Array.isArray(node[last])) throw conflict(key);
    node[last] = parseSetValue(pair.slice(eq + 1));
  }
  return result;
}

function conflict(key: string): InputError {
  return new InputError(`--set ${key} conflicts with another --set of the same key`, {
    code: 'set_invalid', issues: [{ path: `--set ${key}`, message: 'sets both a value and a nested key' }],
  });
}

/** Deep-merges `patch` over `base` (objects merge, anything else replaces): how `paved update --set` changes one key. */
export function mergeInputs(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const prev = out[key];
    const bothObjects = [prev, value].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    out[key] = bothObjects ? mergeInputs(prev as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}
