import { nodeCrypto } from './lazy-deps.js';
import { NAME_MAX_LENGTH } from './names.js';
import type { IncludeSpec } from './types.js';

/**
 * Composition helpers shared by the catalog (publish-time checks) and the engine (reconcile):
 * the part instances' names, the order parts are provisioned in, and `from` references.
 */

/** The driver name of composite products: the engine reconciles them itself, no Driver object. */
export const COMPOSITE_DRIVER = 'composite';

/** The target name recorded on a composite instance: its parts have the real targets. */
export const COMPOSITE_TARGET = 'composite';

/**
 * The instance name of part `part` of composite instance `parent`: `<parent>-<part>`, or when
 * that is past the 40-character name limit, a prefix of it plus 6 hex of its sha256 (so two
 * long names that share a prefix still differ). Deterministic: the engine finds the part again
 * by this name after a crash.
 */
export function partInstanceName(parent: string, part: string): string {
  const full = `${parent}-${part}`;
  if (full.length <= NAME_MAX_LENGTH) return full;
  const hash = nodeCrypto().createHash('sha256').update(full).digest('hex').slice(0, 6);
  const prefix = full.slice(0, NAME_MAX_LENGTH - hash.length - 1).replace(/-+$/, '');
  return `${prefix}-${hash}`;
}

/** `from: "<part>.<output>"` split at the first dot; undefined when malformed. */
export function parseOutputFrom(from: string): { part: string; output: string } | undefined {
  const dot = from.indexOf('.');
  if (dot <= 0 || dot === from.length - 1) return undefined;
  return { part: from.slice(0, dot), output: from.slice(dot + 1) };
}

/**
 * The parts in an order where each comes after every part it depends on (depth first, in
 * manifest and dependsOn order), or the first cycle found as a list of part names that starts and ends with the same
 * name ("a → b → a"). dependsOn names that are not parts are ignored here (the publish check
 * reports them).
 */
export function orderIncludes(includes: readonly IncludeSpec[]): { order: IncludeSpec[] } | { cycle: string[] } {
  const byName = new Map(includes.map((include) => [include.name, include]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: IncludeSpec[] = [];
  const visit = (include: IncludeSpec, path: string[]): string[] | undefined => {
    const seen = state.get(include.name);
    if (seen === 'done') return undefined;
    if (seen === 'visiting') return [...path.slice(path.indexOf(include.name)), include.name];
    state.set(include.name, 'visiting');
    for (const dependency of include.dependsOn ?? []) {
      const next = byName.get(dependency);
      if (next === undefined) continue;
      const cycle = visit(next, [...path, include.name]);
      if (cycle !== undefined) return cycle;
    }
    state.set(include.name, 'done');
    order.push(include);
    return undefined;
  };
  for (const include of includes) {
    const cycle = visit(include, []);
    if (cycle !== undefined) return { cycle };
  }
  return { order };
}
