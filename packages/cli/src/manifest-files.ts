import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import {
  InputError, compilePolicy, isPavedError, isPolicyDocument, parseManifestDocuments, parseProductManifest, parseProductManifestsFromText,
  type FieldIssue, type PolicyManifest, type ProductManifest,
} from '@paved/model';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface ManifestFile {
  file: string;
  manifests: ProductManifest[];
  /** `kind: Policy` documents (docs/policies.md), checked here as the server checks them. */
  policies: PolicyManifest[];
}

/** The manifest files named by `-f`: files as given, directories searched (recursively, sorted) for .yaml/.yml/.json. */
export async function collectManifestPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new InputError(`${path} does not exist`, { code: 'file_not_found', issues: [{ path: '-f', message: `${path} does not exist` }] });
    }
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    const found = entries
      .filter((e) => e.isFile() && EXTENSIONS.has(extname(e.name)) && !e.name.startsWith('.'))
      .map((e) => join(e.parentPath, e.name))
      .sort();
    if (found.length === 0) throw new InputError(`${path} holds no .yaml, .yml or .json file`, { code: 'file_not_found', issues: [{ path: '-f', message: `${path} is empty` }] });
    files.push(...found);
  }
  return files;
}

/**
 * Reads and validates every file before anything is published, so a bad file in a batch
 * publishes nothing. Every problem of every file is reported at once.
 */
export async function loadManifestFiles(paths: readonly string[]): Promise<ManifestFile[]> {
  const loaded: ManifestFile[] = [];
  const messages: string[] = [];
  const issues: FieldIssue[] = [];
  for (const file of await collectManifestPaths(paths)) {
    try {
      loaded.push(parseManifestFile(file, await readFile(file, 'utf8')));
    } catch (error) {
      if (!isPavedError(error)) throw error;
      messages.push(error.message);
      const fileIssues = error.issues.length > 0 ? error.issues : [{ path: '(file)', message: error.message }];
      issues.push(...fileIssues.map((i) => ({ path: i.path.startsWith(file) ? i.path : `${file}: ${i.path}`, message: i.message })));
    }
  }
  if (messages.length > 0) {
    const count = messages.length === 1 ? 'a file has problems' : `${messages.length} files have problems`;
    throw new InputError(`nothing was published: ${count}\n${messages.map((m) => m.replace(/^/gm, '  ')).join('\n')}`, {
      code: 'manifest_invalid', issues,
    });
  }
  return loaded;
}

/**
 * A file of products keeps its line numbers (parseProductManifestsFromText); policies are checked
 * whole, their CEL with line and column inside the expression; a file mixing both kinds checks
 * each document by its kind.
 */
function parseManifestFile(file: string, text: string): ManifestFile {
  const documents = parseManifestDocuments(text, file);
  const policyDocuments = documents.filter(isPolicyDocument);
  if (policyDocuments.length === 0) return { file, manifests: parseProductManifestsFromText(text, file), policies: [] };
  const issues: FieldIssue[] = [];
  const policies: PolicyManifest[] = [];
  const manifests: ProductManifest[] = [];
  documents.forEach((document, index) => {
    const prefix = documents.length > 1 ? `[${index + 1}] ` : '';
    try {
      if (isPolicyDocument(document)) policies.push(compilePolicy(document).manifest);
      else manifests.push(parseProductManifest(document, { file }));
    } catch (error) {
      if (!isPavedError(error)) throw error;
      issues.push(...error.issues.map((issue) => ({ path: `${file}: ${prefix}${issue.path}`, message: issue.message })));
    }
  });
  if (issues.length > 0) {
    throw new InputError(`${file} is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, { code: 'policy_invalid', issues });
  }
  return { file, manifests, policies };
}
