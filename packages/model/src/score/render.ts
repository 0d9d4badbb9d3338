import { containerFiles } from './mounts.js';
import { lookup, parseTemplate } from './placeholders.js';
import type { ScoreWorkload } from './types.js';

/** Each resource's outputs by resource name (secret ones included), as `paved run` has them. */
export type ResourceValues = Record<string, Record<string, unknown>>;

/**
 * A value with every placeholder replaced. `${resources.NAME}` alone (a volume's source) is the
 * resource's `source` output. Throws a message naming `where` when a value is missing.
 */
export function renderTemplate(value: string, workload: ScoreWorkload, values: ResourceValues, where: string): string {
  return parseTemplate(value).map((part) => {
    if ('text' in part) return part.text;
    const [root, name, ...rest] = part.ref;
    const resolved = root === 'metadata'
      ? lookup(workload.metadata, part.ref.slice(1))
      : rest.length === 0 ? values[name!]?.source : lookup(values[name!], [rest.join('.')]) ?? lookup(values[name!], rest);
    if (resolved === undefined) throw new Error(`${where}: ${part.source} has no value${root === 'metadata' ? '' : missingOutput(workload, values, name!, rest)}`);
    return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
  }).join('');
}

/**
 * Why a resource's placeholder has no value. `paved run` and `score render` render Ready
 * resources only, so "is it Ready?" would send the developer the wrong way: a resource with
 * values lacks that output, and for an `environment` resource that means a variable set nowhere.
 */
function missingOutput(workload: ScoreWorkload, values: ResourceValues, name: string, rest: string[]): string {
  if (values[name] === undefined) return ' (is the resource Ready?)';
  const output = rest.join('.');
  if (workload.resources?.[name]?.type === 'environment') {
    return `: ${output} is set neither in the environment's variables nor in the service's own config there (set it with: paved config set SERVICE ${output}=VALUE --env ENV)`;
  }
  return `: resource "${name}" has no output "${output}"`;
}

/**
 * The variables of the named containers (all of them when `containers` is omitted), with every
 * placeholder replaced. Throws a message naming the variable when a value is missing.
 */
export function renderVariables(workload: ScoreWorkload, values: ResourceValues, containers?: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const containerName of containers ?? Object.keys(workload.containers)) {
    const container = workload.containers[containerName];
    if (!container) throw new Error(`the Score file has no container "${containerName}" (containers: ${Object.keys(workload.containers).join(', ')})`);
    for (const [key, value] of Object.entries(container.variables ?? {})) {
      out[key] = renderTemplate(value, workload, values, `containers.${containerName}.variables.${key}`);
    }
  }
  return out;
}

/** A container file as `paved run` writes it. */
export interface RenderedFile {
  target: string;
  content: Buffer;
  /** Octal mode from the file, e.g. 0o644; absent: the default. */
  mode?: number;
}

/**
 * The files of one container with their content: inline text or a `source` file (read by
 * `readSource`, relative to the Score file) with placeholders replaced unless `noExpand`, or
 * `binaryContent` decoded as it is.
 */
export async function renderFiles(workload: ScoreWorkload, containerName: string, values: ResourceValues, readSource: (path: string) => Promise<string>): Promise<RenderedFile[]> {
  const container = workload.containers[containerName];
  if (!container) return [];
  const files: RenderedFile[] = [];
  for (const file of containerFiles(containerName, container)) {
    const where = file.path.join('.');
    const mode = file.spec.mode === undefined ? undefined : parseInt(file.spec.mode, 8);
    let content: Buffer;
    if (file.spec.binaryContent !== undefined) content = Buffer.from(file.spec.binaryContent, 'base64');
    else {
      const text = file.spec.content ?? (await readSource(file.spec.source!));
      content = Buffer.from(file.spec.noExpand === true ? text : renderTemplate(text, workload, values, where), 'utf8');
    }
    files.push({ target: file.target, content, ...(mode === undefined ? {} : { mode }) });
  }
  return files;
}
