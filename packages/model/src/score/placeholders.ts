import type { ScoreProblem } from './score-errors.js';
import { containerFiles, containerVolumes } from './mounts.js';
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

/**
 * What placeholders may name: each resource's type and output names (from its product's
 * manifest); `open`: any output name (a product with `spec.score.openOutputs`).
 */
export type ResourceOutputs = Record<string, { type: string; outputs: readonly string[]; open?: boolean }>;

/** A value of the file that may hold placeholders, and where it sits. */
interface TemplateSite {
  path: string[];
  value: string;
  /** A volume's source names a whole resource (`${resources.data}`); elsewhere an output is needed. */
  wholeResource: boolean;
}

/** Every value Paved fills in: container variables, inline file contents, volume sources. */
function templateSites(workload: ScoreWorkload): TemplateSite[] {
  const sites: TemplateSite[] = [];
  for (const [containerName, container] of Object.entries(workload.containers)) {
    for (const [key, value] of Object.entries(container.variables ?? {})) sites.push({ path: ['containers', containerName, 'variables', key], value, wholeResource: false });
    for (const file of containerFiles(containerName, container)) {
      if (typeof file.spec.content === 'string' && file.spec.noExpand !== true) sites.push({ path: [...file.path, 'content'], value: file.spec.content, wholeResource: false });
    }
    for (const volume of containerVolumes(containerName, container)) {
      if (typeof volume.spec.source === 'string') sites.push({ path: [...volume.path, 'source'], value: volume.spec.source, wholeResource: true });
    }
  }
  return sites;
}

/**
 * Every placeholder problem of the workload (variables, file contents, volume sources), without
 * values: `${metadata.KEY}` must name a metadata field, `${resources.NAME.OUTPUT}` a resource of
 * the file and an output its product declares. Resources in `unmapped` (a type no product
 * serves, already reported) are not reported again. Used by plan and apply before anything happens.
 */
export function checkPlaceholders(workload: ScoreWorkload, resources: ResourceOutputs, unmapped: ReadonlySet<string> = new Set()): ScoreProblem[] {
  const problems: ScoreProblem[] = [];
  for (const site of templateSites(workload)) {
    let parts: TemplatePart[];
    try {
      parts = parseTemplate(site.value);
    } catch (error) {
      problems.push({ path: site.path, message: (error as Error).message });
      continue;
    }
    if (site.wholeResource && !parts.some((part) => 'ref' in part)) {
      problems.push({ path: site.path, message: `${JSON.stringify(site.value)} names no resource: use \${resources.NAME} for a volume resource of this file` });
      continue;
    }
    for (const part of parts) {
      if (!('ref' in part)) continue;
      const message = refProblem(part, workload, resources, unmapped, site.wholeResource);
      if (message) problems.push({ path: site.path, message });
    }
  }
  return problems;
}

function refProblem(part: { ref: string[]; source: string }, workload: ScoreWorkload, resources: ResourceOutputs, unmapped: ReadonlySet<string>, wholeResource: boolean): string | undefined {
  const [root, name, ...rest] = part.ref;
  if (root === 'metadata') {
    return lookup(workload.metadata, part.ref.slice(1)) === undefined ? `${part.source} names no metadata field (metadata has: ${Object.keys(workload.metadata).join(', ')})` : undefined;
  }
  if (root !== 'resources') return `${part.source} must start with metadata. or resources.`;
  if (name !== undefined && unmapped.has(name)) return undefined;
  const known = Object.keys(resources);
  if (name === undefined || !resources[name]) return `${part.source} names no resource of this file (resources: ${known.join(', ') || 'none'})`;
  const { type, outputs, open } = resources[name]!;
  const output = rest.join('.');
  if (output === '') return wholeResource ? undefined : `${part.source} names no output: use \${resources.${name}.OUTPUT} (${describeOutputs(type, outputs, open)})`;
  if (open) return undefined;
  // A dotted output reaches into a nested value; its first segment must be an output.
  if (!outputs.includes(output) && !outputs.includes(rest[0]!)) return `${part.source} names no output of resource "${name}" (${describeOutputs(type, outputs, open)})`;
  return undefined;
}

function describeOutputs(type: string, outputs: readonly string[], open: boolean | undefined): string {
  if (open) return `${type} outputs: any name`;
  return `${type} outputs: ${outputs.join(', ') || 'none'}`;
}

export function lookup(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Every `${resources.NAME.OUTPUT}` the file's values name, as [NAME, OUTPUT] (OUTPUT '' for a whole resource). */
export function resourceRefs(workload: ScoreWorkload): [string, string][] {
  const refs: [string, string][] = [];
  for (const site of templateSites(workload)) {
    let parts: TemplatePart[];
    try {
      parts = parseTemplate(site.value);
    } catch {
      continue;
    }
    for (const part of parts) if ('ref' in part && part.ref[0] === 'resources' && part.ref[1] !== undefined) refs.push([part.ref[1], part.ref.slice(2).join('.')]);
  }
  return refs;
}
