import type { Document, LineCounter } from 'yaml';
import { isMap, isScalar, isSeq, newLineCounter, parseAllDocuments } from './lazy-deps.js';
import { InputError, type FieldIssue } from './errors.js';
import { dottedPath } from './manifest-ajv.js';
import { collectManifestIssues, manifestInvalid } from './manifest-parse.js';
import type { ProductManifest } from './types.js';
import { documentValue } from './yaml-values.js';

interface ParsedDocument {
  value: unknown;
  document: Document;
}

/**
 * Parses a YAML file with one or more documents (`---`), or a JSON file (JSON is YAML), so both
 * get line numbers in errors. Empty documents (a trailing `---`) are skipped. A syntax error
 * becomes InputError naming `file:line:column`.
 */
function parseDocuments(text: string, file: string, lineCounter: LineCounter): ParsedDocument[] {
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  // A stream that is only comments comes back as an empty array or an EmptyStream.
  if (!Array.isArray(documents)) return [];
  const errors = documents.flatMap((document) => document.errors);
  if (errors.length > 0) {
    const lines = errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return `${file}:${line}:${col}: ${firstLine(error.message)}`;
    });
    throw new InputError(`${file} is not valid YAML or JSON:\n${lines.map((line) => `  ${line}`).join('\n')}`, {
      code: 'manifest_syntax',
      issues: errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: `${file}:${line}:${col}`, message: firstLine(error.message) };
      }),
    });
  }
  return documents
    .map((document) => ({ value: documentValue(document, file, lineCounter, 'manifest_syntax'), document }))
    .filter((parsed) => parsed.value !== null && parsed.value !== undefined);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

export function parseManifestDocuments(text: string, file: string): unknown[] {
  return parseDocuments(text, file, newLineCounter()).map((parsed) => parsed.value);
}

/**
 * Parses and validates every product manifest in a file. All problems of all documents are
 * reported at once, one line each as `file:line: path: message` (the line of the offending
 * field, or of its parent when the field is missing).
 */
export function parseProductManifestsFromText(text: string, file: string): ProductManifest[] {
  const lineCounter = newLineCounter();
  const parsed = parseDocuments(text, file, lineCounter);
  const found: { issue: FieldIssue; line: string; document: number; lineNumber: number }[] = [];
  parsed.forEach(({ value, document }, index) => {
    // In a multi-document file, paths say which document: "[2] spec.version" (1-based).
    const prefix = parsed.length > 1 ? `[${index + 1}] ` : '';
    for (const issue of collectManifestIssues(value)) {
      const lineNumber = yamlLineOf(document, issue.segments, lineCounter);
      const path = `${prefix}${dottedPath(issue.segments) || '(document)'}`;
      found.push({
        issue: { path, message: issue.message },
        line: `${file}${lineNumber ? `:${lineNumber}` : ''}: ${path}: ${issue.message}`,
        document: index,
        lineNumber: lineNumber ?? 0,
      });
    }
  });
  // In file order, as an editor shows them (Array#sort is stable, so ties keep schema order).
  found.sort((a, b) => a.document - b.document || a.lineNumber - b.lineNumber);
  const issues = found.map((f) => f.issue);
  const lines = found.map((f) => f.line);
  if (parsed.length === 0) {
    throw new InputError(`${file}: contains no product manifest`, { code: 'manifest_invalid', issues: [{ path: '(document)', message: 'is empty' }] });
  }
  if (issues.length > 0) throw manifestInvalid(issues, lines, file);
  return parsed.map((p) => p.value as ProductManifest);
}

/**
 * The 1-based line of the field at `segments`: its key's line, or, when the field is missing,
 * the line of the deepest key on the way that exists (the object it should be added to).
 * `lineCounter` must be the one the document was parsed with.
 */
export function yamlLineOf(document: Document, segments: readonly (string | number)[], lineCounter: LineCounter): number | undefined {
  let node: unknown = document.contents;
  let line = lineAt(node, lineCounter);
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(segment));
      if (!pair) break;
      line = lineAt(pair.key, lineCounter) ?? line;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
      line = lineAt(node, lineCounter) ?? line;
    } else {
      break;
    }
  }
  return line;
}

function lineAt(node: unknown, lineCounter: LineCounter): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? lineCounter.linePos(range[0]).line : undefined;
}
