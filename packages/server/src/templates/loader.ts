import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  BUILTIN_TEMPLATE_VARIABLES, parseScoreText, renderTemplateText, templatePlaceholders, type ScoreWorkload, type TemplateDetail, type TemplateFile,
} from '@paved/model';
import { parseTemplateManifest, type TemplateManifest } from './manifest.js';

/**
 * Reads golden-path templates from a folder: one sub-folder per template, holding
 * `template.yaml` and a `files/` tree. A template with any problem is reported (one line per
 * problem, naming the file) and left out; the others load. Nothing here can crash the server:
 * a platform team's typo costs one template, never the API.
 */
export interface LoadedTemplates {
  templates: TemplateDetail[];
  /** One line each, `path[:line]: what is wrong`. */
  problems: string[];
}

/** Bounds that keep one template from filling the API's memory or a developer's disk. */
export const TEMPLATE_LIMITS = { files: 200, fileBytes: 256 * 1024, totalBytes: 1024 * 1024 } as const;

/** The file `paved init --apply` applies; a template without it is not a golden path. */
export const TEMPLATE_SCORE_FILE = 'score.yaml';

export async function loadTemplates(dir: string): Promise<LoadedTemplates> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { templates: [], problems: [`${dir}: templates folder cannot be read (${code ?? 'error'}); set PAVED_TEMPLATES_DIR`] };
  }
  const templates: TemplateDetail[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    const loaded = await loadTemplate(join(dir, entry), entry);
    if ('problems' in loaded) problems.push(...loaded.problems);
    else templates.push(loaded.template);
  }
  return { templates, problems };
}

type TemplateResult = { template: TemplateDetail } | { problems: string[] };

async function loadTemplate(folder: string, folderName: string): Promise<TemplateResult> {
  const manifestFile = join(folder, 'template.yaml');
  let text: string;
  try {
    text = await readFile(manifestFile, 'utf8');
  } catch {
    return { problems: [`${manifestFile}: missing; every template folder needs a template.yaml`] };
  }
  const parsed = parseTemplateManifest(text, manifestFile);
  if (!parsed.ok) return { problems: parsed.problems };
  const { manifest } = parsed;
  if (manifest.name !== folderName) {
    return { problems: [`${manifestFile}: metadata.name: must be the folder's name "${folderName}" (got "${manifest.name}")`] };
  }
  const files = await readFiles(join(folder, 'files'));
  if ('problems' in files) return files;
  const problems = checkFiles(manifest, files.files, join(folder, 'files'));
  if (problems.length > 0) return { problems };
  return {
    template: {
      summary: { name: manifest.name, title: manifest.title, description: manifest.description, resources: manifest.resources },
      parameters: manifest.parameters,
      files: files.files,
    },
  };
}

/**
 * Every regular file under `root`, as text. Symbolic links are refused rather than followed:
 * the API hands these files to any signed-in user, and a link could reach outside the folder.
 */
async function readFiles(root: string): Promise<{ files: TemplateFile[] } | { problems: string[] }> {
  const files: TemplateFile[] = [];
  const problems: string[] = [];
  let total = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch {
      problems.push(`${dir}: missing; a template's files live in its files/ folder`);
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      const stat = await lstat(path);
      if (stat.isDirectory()) {
        await walk(path);
        continue;
      }
      if (!stat.isFile()) {
        problems.push(`${path}: only regular files and folders are allowed (symbolic links are not followed)`);
        continue;
      }
      if (files.length >= TEMPLATE_LIMITS.files) {
        problems.push(`${root}: more than ${TEMPLATE_LIMITS.files} files`);
        return;
      }
      if (stat.size > TEMPLATE_LIMITS.fileBytes) {
        problems.push(`${path}: larger than ${TEMPLATE_LIMITS.fileBytes / 1024} KiB`);
        continue;
      }
      total += stat.size;
      const bytes = await readFile(path);
      let content: string;
      try {
        content = decoder.decode(bytes);
      } catch {
        problems.push(`${path}: not UTF-8 text; templates hold text files only`);
        continue;
      }
      // Paths use '/' whatever the platform, as the API and the CLI expect.
      const relativePath = relative(root, path).split(sep).join('/');
      files.push({ path: relativePath, content, ...((stat.mode & 0o100) !== 0 ? { executable: true } : {}) });
    }
  };
  await walk(root);
  if (total > TEMPLATE_LIMITS.totalBytes) problems.push(`${root}: more than ${TEMPLATE_LIMITS.totalBytes / 1024} KiB of files`);
  return problems.length > 0 ? { problems } : { files };
}

/**
 * What must hold for `paved init` to succeed with this template: every placeholder (in paths
 * too) is built in or declared, and score.yaml, rendered with sample values, is YAML whose
 * resource types the template lists in spec.resources.
 */
function checkFiles(manifest: TemplateManifest, files: readonly TemplateFile[], root: string): string[] {
  const known = new Set<string>([...BUILTIN_TEMPLATE_VARIABLES, ...manifest.parameters.map((p) => p.name)]);
  const problems: string[] = [];
  for (const file of files) {
    const unknown = [...templatePlaceholders(file.path), ...templatePlaceholders(file.content)].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      problems.push(`${root}/${file.path}: uses {{${[...new Set(unknown)].join('}}, {{')}}}, which is neither built in (${BUILTIN_TEMPLATE_VARIABLES.join(', ')}) nor declared in spec.parameters`);
    }
  }
  const score = files.find((file) => file.path === TEMPLATE_SCORE_FILE);
  if (!score) return [...problems, `${root}/${TEMPLATE_SCORE_FILE}: missing; a template describes its service with a Score file`];
  if (problems.length > 0) return problems;
  const sample = Object.fromEntries([
    ['service', 'example'], ['team', 'example'], ['port', '8080'],
    ...manifest.parameters.map((p) => [p.name, p.default ?? 'example']),
  ]);
  // The Score validator `paved apply` uses, so a template that loads also applies.
  let workload: ScoreWorkload;
  try {
    workload = parseScoreText(renderTemplateText(score.content, sample, score.path), `${root}/${TEMPLATE_SCORE_FILE}`).workload;
  } catch (error) {
    return [`${root}/${TEMPLATE_SCORE_FILE}: not a valid Score file once rendered (quote values that start with {{): ${(error as Error).message.split('\n')[0]}`];
  }
  const types = [...new Set(Object.values(workload.resources ?? {}).map((resource) => resource.type))];
  const unlisted = types.filter((type) => !manifest.resources.includes(type));
  if (unlisted.length > 0) {
    problems.push(`${root}/${TEMPLATE_SCORE_FILE}: resource types ${unlisted.join(', ')} are not listed in template.yaml spec.resources`);
  }
  return problems;
}
