import type { ScoreProblem } from './score-errors.js';
import type { ScoreWorkload } from './types.js';

/** A piece of a variable's value: literal text, or a reference like ['resources', 'db', 'host']. */
export type TemplatePart = { text: string } | { ref: string[]; source: string };

/**
 * Splits a Score value into literal text and `${a.b.c}` references. `$${` is a literal `${`
 * (Score's escape). Throws a plain message for an unterminated or empty placeholder.
 */
export function parseTemplate(value: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('$${', i)) {
      text += '${';
      i += 3;
    } else if (value.startsWith('${', i)) {
      const end = value.indexOf('}', i + 2);
      if (end < 0) throw new Error(`${JSON.stringify(value.slice(i))} has no closing "}" (write $\${ for a literal \${)`);
      const inner = value.slice(i + 2, end).trim();
      if (inner === '' || inner.split('.').some((segment) => segment === '')) throw new Error(`\${${inner}} is not a valid placeholder`);
      if (text) parts.push({ text });
      text = '';
      parts.push({ ref: inner.split('.'), source: value.slice(i, end + 1) });
      i = end + 1;
    } else {
      text += value[i];
      i += 1;
    }
  }
  if (text) parts.push({ text });
  return parts;
}

/** What placeholders may name: each resource's type and output names (from its product's manifest). */
export type ResourceOutputs = Record<string, { type: string; outputs: readonly string[] }>;

/**
 * Every placeholder problem of the workload's variables, without values: `${metadata.KEY}`
 * must name a metadata field, `${resources.NAME.OUTPUT}` a resource of the file and an output
 * its product declares. Used by `paved plan` and `paved apply` before anything happens.
 */
export function checkPlaceholders(workload: ScoreWorkload, resources: ResourceOutputs): ScoreProblem[] {
  const problems: ScoreProblem[] = [];
  for (const [containerName, container] of Object.entries(workload.containers)) {
    for (const [key, value] of Object.entries(container.variables ?? {})) {
      const path = ['containers', containerName, 'variables', key];
      let parts: TemplatePart[];
      try {
        parts = parseTemplate(value);
      } catch (error) {
        problems.push({ path, message: (error as Error).message });
        continue;
      }
      for (const part of parts) {
        if ('ref' in part) {
          const message = refProblem(part, workload, resources);
          if (message) problems.push({ path, message });
        }
      }
    }
  }
  return problems;
}

function refProblem(part: { ref: string[]; source: string }, workload: ScoreWorkload, resources: ResourceOutputs): string | undefined {
  const [root, name, ...rest] = part.ref;
  if (root === 'metadata') {
    return lookup(workload.metadata, part.ref.slice(1)) === undefined ? `${part.source} names no metadata field (metadata has: ${Object.keys(workload.metadata).join(', ')})` : undefined;
  }
  if (root !== 'resources') return `${part.source} must start with metadata. or resources.`;
  const known = Object.keys(resources);
  if (name === undefined || !resources[name]) return `${part.source} names no resource of this file (resources: ${known.join(', ') || 'none'})`;
  const { type, outputs } = resources[name]!;
  const output = rest.join('.');
  if (output === '') return `${part.source} names no output: use \${resources.${name}.OUTPUT} (${type} outputs: ${outputs.join(', ')})`;
  // A dotted output reaches into a nested value; its first segment must be an output.
  if (!outputs.includes(output) && !outputs.includes(rest[0]!)) return `${part.source} names no output of resource "${name}" (${type} outputs: ${outputs.join(', ')})`;
  return undefined;
}

function lookup(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * The variables of the named containers (all of them when `containers` is omitted), with every
 * placeholder replaced: `values[resource][output]` holds each resource's outputs (secret ones
 * included). Throws a message naming the variable when a value is missing.
 */
export function renderVariables(workload: ScoreWorkload, values: Record<string, Record<string, unknown>>, containers?: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const names = containers ?? Object.keys(workload.containers);
  for (const containerName of names) {
    const container = workload.containers[containerName];
    if (!container) throw new Error(`the Score file has no container "${containerName}" (containers: ${Object.keys(workload.containers).join(', ')})`);
    for (const [key, value] of Object.entries(container.variables ?? {})) {
      out[key] = parseTemplate(value).map((part) => {
        if ('text' in part) return part.text;
        const [root, name, ...rest] = part.ref;
        const resolved = root === 'metadata' ? lookup(workload.metadata, part.ref.slice(1)) : lookup(values[name!], [rest.join('.')]) ?? lookup(values[name!], rest);
        if (resolved === undefined) throw new Error(`containers.${containerName}.variables.${key}: ${part.source} has no value (is the resource Ready?)`);
        return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
      }).join('');
    }
  }
  return out;
}
