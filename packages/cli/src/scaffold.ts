import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import {
  assertName, ConflictError, InputError, renderTemplateText, type TemplateDetail, type TemplateFile,
} from '@paved/model';

/**
 * `paved init`'s local half: turn a template's raw files into a new service's folder. Pure
 * functions decide what to write (so tests need no server); one function writes it.
 */

export interface ScaffoldInput {
  service: string;
  team: string;
  port: number;
  /** `--set key=value` pairs for the template's declared parameters. */
  sets: readonly string[];
}

export const DEFAULT_PORT = 8080;

/**
 * The values substituted for `{{name}}`: service, team and port, then each declared parameter
 * from --set or its default. A value is one line of text (no control characters), so it cannot
 * break the structure of the YAML or JSON it lands in beyond its own line.
 */
export function templateValues(template: TemplateDetail, input: ScaffoldInput): Record<string, string> {
  assertName('service', input.service);
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
    throw new InputError(`--port must be a TCP port from 1 to 65535 (got ${input.port})`, {
      code: 'template_value_invalid', issues: [{ path: '--port', message: 'must be an integer from 1 to 65535' }],
    });
  }
  const declared = new Map(template.parameters.map((p) => [p.name, p]));
  const given = new Map<string, string>();
  for (const pair of input.sets) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new InputError(`--set expects key=value (got "${pair}")`, { code: 'set_invalid', issues: [{ path: '--set', message: `"${pair}" is not key=value` }] });
    }
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (!declared.has(key)) {
      const builtIn = key === 'service' || key === 'team' || key === 'port';
      const known = [...declared.keys()];
      const message = builtIn
        ? `${key} is built in: ${key === 'service' ? 'it is the NAME argument' : `pass --${key}`}`
        : `template ${template.summary.name} has no parameter "${key}"${known.length > 0 ? ` (it has: ${known.join(', ')})` : ' (it has none)'}`;
      throw new InputError(`--set ${key}: ${message}`, { code: 'template_parameter_unknown', issues: [{ path: `--set ${key}`, message }] });
    }
    if (/[\u0000-\u001f\u007f]/.test(value)) {
      throw new InputError(`--set ${key}: the value must be one line of text`, {
        code: 'template_value_invalid', issues: [{ path: `--set ${key}`, message: 'contains a newline or another control character' }],
      });
    }
    given.set(key, value);
  }
  const values: Record<string, string> = { service: input.service, team: input.team, port: String(input.port) };
  for (const parameter of template.parameters) {
    const value = given.get(parameter.name) ?? parameter.default;
    if (value === undefined) {
      throw new InputError(`template ${template.summary.name} needs --set ${parameter.name}=… (${parameter.description})`, {
        code: 'template_parameter_missing', issues: [{ path: `--set ${parameter.name}`, message: 'is required: the parameter has no default' }],
      });
    }
    values[parameter.name] = value;
  }
  return values;
}

/** Each file with its path and content rendered; a rendered path must stay inside the new folder. */
export function renderScaffold(template: TemplateDetail, values: Readonly<Record<string, string>>): TemplateFile[] {
  const seen = new Set<string>();
  return template.files.map((file) => {
    const path = renderTemplateText(file.path, values, file.path);
    const normal = posix.normalize(path);
    if (path.includes('\\') || normal.startsWith('/') || normal === '..' || normal.startsWith('../') || normal === '.' || seen.has(normal)) {
      throw new InputError(`template file ${file.path} renders to "${path}", which is not a new path inside the service's folder`, {
        code: 'template_path_invalid', issues: [{ path: file.path, message: 'must render to a distinct relative path inside the folder' }],
      });
    }
    seen.add(normal);
    return { path: normal, content: renderTemplateText(file.content, values, file.path), ...(file.executable ? { executable: true } : {}) };
  });
}

/** Refuses a folder that exists with anything in it: init never overwrites someone's work. */
export async function assertEmptyFolder(dir: string): Promise<void> {
  let entries: string[];
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw notEmpty(dir, 'is a file');
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length > 0) throw notEmpty(dir, `is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'})`);
}

function notEmpty(dir: string, why: string): ConflictError {
  return new ConflictError(`${dir} ${why}; paved init writes only into a new or empty folder (choose another with --dir)`, {
    code: 'directory_not_empty', issues: [{ path: '--dir', message: why }],
  });
}

/**
 * Writes the files. 'wx' makes each write fail rather than replace a file that appeared since
 * the emptiness check (a second init racing this one).
 */
export async function writeScaffold(dir: string, files: readonly TemplateFile[]): Promise<void> {
  await assertEmptyFolder(dir);
  await mkdir(dir, { recursive: true });
  for (const file of files) {
    const target = join(dir, ...file.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, { flag: 'wx', mode: file.executable ? 0o755 : 0o644 });
  }
}
