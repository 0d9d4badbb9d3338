import { LineCounter, parseDocument } from 'yaml';
import { BUILTIN_TEMPLATE_VARIABLES, isValidName, yamlLineOf, type TemplateParameter } from '@paved/model';

/**
 * `template.yaml`: what a golden-path template is, as a platform team writes it.
 *
 *   apiVersion: paved.dev/v1alpha1
 *   kind: Template
 *   metadata: { name, title, description }
 *   spec: { resources: [product, …], parameters?: [{ name, description, default? }] }
 *
 * Checked by hand rather than with a JSON Schema: the shape is small, and every problem must
 * come out as one `file:line: field: message` line a platform engineer can act on.
 */
export interface TemplateManifest {
  name: string;
  title: string;
  description: string;
  resources: string[];
  parameters: TemplateParameter[];
}

export type TemplateManifestResult = { ok: true; manifest: TemplateManifest } | { ok: false; problems: string[] };

const API_VERSION = 'paved.dev/v1alpha1';
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

type Segments = (string | number)[];

export function parseTemplateManifest(text: string, file: string): TemplateManifestResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return { ok: false, problems: document.errors.map((error) => `${file}:${lineCounter.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`) };
  }
  const value = document.toJS({ maxAliasCount: 10 }) as unknown;
  const issues: { segments: Segments; message: string }[] = [];
  const manifest = check(value, (segments, message) => issues.push({ segments, message }));
  if (issues.length > 0) {
    return {
      ok: false,
      problems: issues.map(({ segments, message }) => {
        const line = yamlLineOf(document, segments, lineCounter);
        return `${file}${line ? `:${line}` : ''}: ${segments.join('.') || '(document)'}: ${message}`;
      }),
    };
  }
  return { ok: true, manifest: manifest! };
}

type Report = (segments: Segments, message: string) => void;

function check(value: unknown, report: Report): TemplateManifest | undefined {
  if (!isObject(value)) {
    report([], 'must be a mapping with apiVersion, kind, metadata and spec');
    return undefined;
  }
  if (value.apiVersion !== API_VERSION) report(['apiVersion'], `must be ${API_VERSION}`);
  if (value.kind !== 'Template') report(['kind'], 'must be Template');
  const metadata = isObject(value.metadata) ? value.metadata : (report(['metadata'], 'must be a mapping with name, title and description'), {});
  const spec = isObject(value.spec) ? value.spec : (report(['spec'], 'must be a mapping with resources'), {});

  if (!isValidName(metadata.name)) report(['metadata', 'name'], 'must be a name: lowercase letters, digits and "-", starting with a letter, at most 40 characters');
  for (const field of ['title', 'description'] as const) {
    if (typeof metadata[field] !== 'string' || metadata[field].trim() === '') report(['metadata', field], 'must be a non-empty string');
  }
  const resources = Array.isArray(spec.resources) ? spec.resources : (report(['spec', 'resources'], 'must be a list of product names (may be empty: [])'), []);
  resources.forEach((resource, index) => {
    if (!isValidName(resource)) report(['spec', 'resources', index], 'must be a product name');
  });
  const parameters = checkParameters(spec.parameters, report);
  return {
    name: String(metadata.name),
    title: String(metadata.title),
    description: String(metadata.description),
    resources: resources.map(String),
    parameters,
  };
}

function checkParameters(value: unknown, report: Report): TemplateParameter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    report(['spec', 'parameters'], 'must be a list of { name, description, default }');
    return [];
  }
  const seen = new Set<string>();
  return value.flatMap((item: unknown, index): TemplateParameter[] => {
    const at: Segments = ['spec', 'parameters', index];
    if (!isObject(item)) {
      report(at, 'must be a mapping with name and description');
      return [];
    }
    const { name, description } = item;
    if (typeof name !== 'string' || !PARAMETER_NAME.test(name)) report([...at, 'name'], 'must be an identifier: a letter, then letters, digits or "_"');
    else if ((BUILTIN_TEMPLATE_VARIABLES as readonly string[]).includes(name)) report([...at, 'name'], `is built in (${BUILTIN_TEMPLATE_VARIABLES.join(', ')}); pick another name`);
    else if (seen.has(name)) report([...at, 'name'], 'is declared twice');
    if (typeof name === 'string') seen.add(name);
    if (typeof description !== 'string' || description.trim() === '') report([...at, 'description'], 'must be a non-empty string');
    // Numbers and booleans are fine as defaults; they are substituted as text.
    const fallback = item.default;
    if (fallback !== undefined && !['string', 'number', 'boolean'].includes(typeof fallback)) report([...at, 'default'], 'must be a string, number or boolean');
    return [{ name: String(name), description: String(description), ...(fallback === undefined ? {} : { default: String(fallback) }) }];
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
