import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '@paved/model';
import jsYaml from 'js-yaml';
import { isScalar, LineCounter, parseAllDocuments } from 'yaml';

/**
 * Reads a Backstage catalog as teams keep it: files and folders named by `-f`, and every file
 * their `Location` entities point to, recursively. Nothing in a catalog stops the reading: a
 * file that is not YAML, a syntax error, a document that is not a catalog entity (a JSON
 * package file, a scaffolder `Template`) or a target that cannot be read is *skipped* with the
 * reason and the rest is read. The server decides what it can import of the entities found.
 *
 * Location targets: a relative path is resolved against the folder of the file that names it
 * and must stay inside the folder of the `-f` argument it was reached from (a catalog cannot make
 * Paved read `../../etc`); globs (`./components/*.yaml`) are expanded; a file reached twice (two
 * locations naming it, or a cycle) is read once. URL targets are reported and fetched only when
 * the caller allows it (`--follow-urls`).
 */

export interface CatalogSkip { entity: string; reason: string }

export interface CatalogRead {
  entities: Record<string, unknown>[];
  skipped: CatalogSkip[];
  /** Files (and URLs) read, and Location entities followed. */
  files: number;
  locations: number;
}

export interface ReadOptions {
  followUrls?: boolean;
  /** Called after each file, for progress. */
  onFile?: (source: string, read: CatalogRead) => void;
}

const CATALOG_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Folders a repository holds that are never catalog files. */
const IGNORED_FOLDERS = new Set(['node_modules', '.git']);
const URL_TIMEOUT_MS = 30_000;

type Source = { kind: 'file'; path: string; root: string } | { kind: 'url'; url: string };

export async function readBackstageCatalog(paths: readonly string[], options: ReadOptions = {}): Promise<CatalogRead> {
  const read: CatalogRead = { entities: [], skipped: [], files: 0, locations: 0 };
  const seen = new Set<string>();
  const queue: Source[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new InputError(`${path} does not exist`, { code: 'file_not_found', issues: [{ path: '-f', message: `${path} does not exist` }] });
    const root = await realpath(info.isDirectory() ? path : dirname(path));
    const files = info.isDirectory() ? await filesUnder(path) : [path];
    queue.push(...files.map((file): Source => ({ kind: 'file', path: file, root })));
  }
  while (queue.length > 0) {
    const source = queue.shift()!;
    const key = source.kind === 'file' ? await realpath(source.path).catch(() => resolve(source.path)) : source.url;
    if (seen.has(key)) continue;
    seen.add(key);
    const name = source.kind === 'file' ? source.path : source.url;
    const text = await readSource(source, read);
    if (text === undefined) continue;
    read.files++;
    for (const document of parseDocuments(name, text, read)) {
      if (document.value.kind !== 'Location') {
        read.entities.push(document.value);
        continue;
      }
      read.locations++;
      queue.push(...await locationTargets(source, document.value, document.at(), options, read));
    }
    options.onFile?.(name, read);
  }
  return read;
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && !e.parentPath.split(sep).some((part) => IGNORED_FOLDERS.has(part)))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function readSource(source: Source, read: CatalogRead): Promise<string | undefined> {
  if (source.kind === 'url') {
    try {
      const response = await fetch(source.url, { signal: AbortSignal.timeout(URL_TIMEOUT_MS) });
      if (response.ok) return await response.text();
      read.skipped.push({ entity: source.url, reason: `fetching it answered HTTP ${response.status}` });
    } catch (error) {
      read.skipped.push({ entity: source.url, reason: `could not be fetched: ${(error as Error).message}` });
    }
    return undefined;
  }
  if (!CATALOG_EXTENSIONS.has(extname(source.path).toLowerCase())) {
    read.skipped.push({ entity: source.path, reason: 'not a YAML or JSON file (catalog files are .yaml, .yml or .json)' });
    return undefined;
  }
  try {
    return await readFile(source.path, 'utf8');
  } catch (error) {
    read.skipped.push({ entity: source.path, reason: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    return undefined;
  }
}

/** A catalog document and where it is (`file:line`), worked out only when something asks. */
interface ParsedDocument { value: Record<string, unknown>; at: () => string }

/**
 * YAML 1.2's core schema (no timestamps: a date stays the string Backstage reads) with merge
 * keys. js-yaml parses a large catalog about 4× faster than `yaml`, which also keeps positions.
 */
// js-yaml exports its built-in types at runtime; @types/js-yaml does not declare them.
const FAST_SCHEMA = jsYaml.CORE_SCHEMA.extend([(jsYaml as unknown as { types: { merge: jsYaml.Type } }).types.merge]);

/**
 * The catalog entities of one file; every other document is skipped with `file:line` and the
 * reason. The common case (every document an entity) takes the fast parser; a file with
 * anything to report is parsed again with positions, so the report names its lines.
 */
function parseDocuments(name: string, text: string, read: CatalogRead): ParsedDocument[] {
  try {
    const values = jsYaml.loadAll(text, undefined, { schema: FAST_SCHEMA, filename: name }).filter((v) => v !== null && v !== undefined);
    if (values.every((v) => notAnEntity(v) === undefined) && !expandsTooFar(values, text.length * VALUES_PER_CHARACTER)) {
      // The fast parser keeps no positions: a document's line is found by the slower one, and
      // only for the rare document reported (a Location whose target is skipped).
      let lines: string[] | undefined;
      const at = (index: number) => () => (lines ??= documentLines(name, text))[index] ?? name;
      return values.map((value, index) => ({ value: value as Record<string, unknown>, at: at(index) }));
    }
  } catch {
    // Reported with its line by the slower parser below.
  }
  return parseDocumentsWithLines(name, text, read);
}

/** `file:line` of each non-empty document of a file, in order (as the fast parser returns them). */
function documentLines(name: string, text: string): string[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (!Array.isArray(documents)) return [];
  // The fast parser drops empty documents (a trailing ---, a lone ~): so does this list.
  return documents.filter((document) => document.contents !== null && !(isScalar(document.contents) && document.contents.value === null))
    .map((document) => `${name}:${lineCounter.linePos(document.contents!.range[0]).line}`);
}

function parseDocumentsWithLines(name: string, text: string, read: CatalogRead): ParsedDocument[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (!Array.isArray(documents)) return []; // only comments
  const found: ParsedDocument[] = [];
  for (const document of documents) {
    const error = document.errors[0];
    if (error) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      read.skipped.push({ entity: `${name}:${line}:${col}`, reason: `not valid YAML: ${error.message.split('\n')[0]!.trim()}` });
      continue;
    }
    const at = `${name}:${lineCounter.linePos(document.contents?.range[0] ?? 0).line}`;
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 100 }) as unknown;
    } catch (refused) {
      // yaml's own guard: the document's aliases would expand without end.
      if (!(refused instanceof ReferenceError)) throw refused;
      read.skipped.push({ entity: at, reason: 'its aliases expand too far (a YAML "billion laughs"); not read' });
      continue;
    }
    if (value === null || value === undefined) continue; // an empty document (trailing ---)
    const problem = notAnEntity(value);
    if (problem) read.skipped.push({ entity: at, reason: problem });
    else found.push({ value: value as Record<string, unknown>, at: () => at });
  }
  return found;
}

/**
 * How many values a file's documents may hold, aliases expanded, per character of the file. A
 * document without aliases holds fewer values than characters; nine lines of aliases can hold
 * 10^8 (a "billion laughs"), which js-yaml keeps as shared references but the import's JSON
 * would spell out in full, taking the CLI's whole memory. Such a file is read again by the
 * slower parser, whose alias limit names the document.
 */
const VALUES_PER_CHARACTER = 10;

/** Whether `values` hold more than `budget` values once every alias is expanded (counted up to the budget, no further). */
function expandsTooFar(values: readonly unknown[], budget: number): boolean {
  const pending = [...values];
  let left = budget - pending.length;
  while (pending.length > 0 && left >= 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    for (const child of Object.values(value)) {
      pending.push(child);
      if (--left < 0) break;
    }
  }
  return left < 0;
}

function notAnEntity(value: unknown): string | undefined {
  if (typeof value !== 'object' || Array.isArray(value) || value === null) return 'not a Backstage entity (a mapping with apiVersion, kind and metadata)';
  const entity = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const kind = typeof entity.kind === 'string' ? entity.kind : undefined;
  if (typeof entity.apiVersion !== 'string') return 'not a Backstage entity (no apiVersion)';
  if (!entity.apiVersion.startsWith('backstage.io/')) {
    return kind
      ? `kind ${kind} (${entity.apiVersion}) has no Paved equivalent: Paved imports backstage.io Group, User, Component, System and Resource`
      : `not a Backstage catalog entity (apiVersion ${entity.apiVersion})`;
  }
  if (!kind) return 'kind is required';
  if (typeof entity.metadata?.name !== 'string') return 'metadata.name is required';
  return undefined;
}

/** The sources a Location names (`spec.target` and `spec.targets`), each checked; the rest skipped with the reason. */
async function locationTargets(from: Source, location: Record<string, unknown>, at: string, options: ReadOptions, read: CatalogRead): Promise<Source[]> {
  const spec = (typeof location.spec === 'object' && location.spec !== null ? location.spec : {}) as { target?: unknown; targets?: unknown };
  const targets = [spec.target, ...(Array.isArray(spec.targets) ? spec.targets : [])].filter((t): t is string => typeof t === 'string' && t.trim() !== '');
  const label = `location ${at}`;
  const sources: Source[] = [];
  for (const target of targets.map((t) => t.trim())) {
    const isUrl = /^https?:\/\//i.test(target);
    if (isUrl || from.kind === 'url') {
      const url = from.kind === 'url' ? new URL(target, from.url).toString() : target;
      if (options.followUrls) sources.push({ kind: 'url', url });
      else read.skipped.push({ entity: label, reason: `target ${url} is a URL: not fetched (paved backstage import --follow-urls fetches URL targets)` });
      continue;
    }
    const path = resolve(dirname(from.path), target);
    const inside = (p: string) => {
      const rel = relative(from.root, p);
      return !rel.startsWith('..') && !isAbsolute(rel);
    };
    if (!inside(path)) {
      read.skipped.push({ entity: label, reason: `target ${target} is outside ${from.root}, the folder it was reached from; not read` });
      continue;
    }
    const matches = target.includes('*') ? await expandGlob(path) : [path];
    if (matches.length === 0 || !(await stat(matches[0]!).catch(() => undefined))) {
      read.skipped.push({ entity: label, reason: `target ${target} does not exist` });
      continue;
    }
    for (const match of matches) {
      const real = await realpath(match);
      if (inside(real)) sources.push({ kind: 'file', path: match, root: from.root });
      else read.skipped.push({ entity: label, reason: `target ${target} leads outside ${from.root} (a link); not read` });
    }
  }
  return sources;
}

/** Backstage's file globs: `*` within one folder, `**` across folders. */
async function expandGlob(pattern: string): Promise<string[]> {
  const base = pattern.slice(0, pattern.indexOf('*')).replace(/[^/\\]*$/, '');
  const regex = new RegExp(`^${pattern.split(/(\*\*\/?|\*)/).map((part) => (part.startsWith('**') ? '.*' : part === '*' ? `[^${sep === '\\' ? '\\\\' : '/'}]*` : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  const files = await filesUnder(base).catch(() => []);
  return files.map((f) => resolve(f)).filter((f) => regex.test(f));
}
