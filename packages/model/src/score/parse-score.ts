import type { Node } from 'yaml';
import { isMap, isScalar, isSeq, newLineCounter, parseDocument } from '../lazy-deps.js';
import { InputError } from '../errors.js';
import { documentValue } from '../yaml-values.js';
import { validateScoreDocument } from './validate-score.js';
import type { ScoreLocation, ScoreLocator, ScoreWorkload } from './types.js';

export interface ParsedScore {
  file: string;
  workload: ScoreWorkload;
  /** file:line:column of a path, for errors found later (unknown type, bad placeholder). */
  locate: ScoreLocator;
  /**
   * The path of a problem the server reported as a dotted string ("containers.web.files./etc/app.conf"):
   * its segments as they are in this file, keys with dots (file targets) included.
   */
  segments(dotted: string): string[];
}

/**
 * Parses a score.yaml, keeping line numbers: every error (YAML syntax or Score content) names
 * `file:line:column` and the path. One document per file, as Score has it.
 */
export function parseScoreText(text: string, file: string): ParsedScore {
  const lineCounter = newLineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number): ScoreLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (document.errors.length > 0) {
    const lines = document.errors.map((error) => {
      const at = position(error.pos[0]);
      return `${file}:${at.line}:${at.column}: invalid YAML: ${error.message.split('\n')[0]}`;
    });
    throw new InputError(lines.join('\n'), { code: 'score_yaml_invalid', issues: lines.map((message) => ({ path: '(file)', message })) });
  }
  const locate: ScoreLocator = (path) => {
    let node: unknown = document.contents;
    let found: Node | undefined = document.contents ?? undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
        if (!pair) break;
        // A value's position is where an error about it points; a missing value, its key.
        node = pair.value ?? pair.key;
        found = (pair.value ?? pair.key) as Node;
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (item === undefined) break;
        node = item;
        found = item as Node;
      } else break;
    }
    const range = found?.range;
    return range ? position(range[0]) : { file, line: 1, column: 1 };
  };
  const workload = validateScoreDocument(documentValue(document, file, lineCounter, 'score_yaml_invalid'), locate, file);
  const segments = (dotted: string): string[] => {
    const out: string[] = [];
    let node: unknown = document.contents;
    let rest = dotted;
    while (rest !== '') {
      // The longest key of this mapping that the rest starts with (a key may hold dots).
      const keys = isMap(node) ? node.items.map((item) => (isScalar(item.key) ? String(item.key.value) : '')) : isSeq(node) ? node.items.map((_, i) => String(i)) : [];
      const key = keys.filter((k) => k !== '' && (rest === k || rest.startsWith(`${k}.`))).sort((a, b) => b.length - a.length)[0];
      if (key === undefined) return [...out, ...rest.split('.')];
      out.push(key);
      node = isMap(node) ? node.items.find((item) => isScalar(item.key) && String(item.key.value) === key)?.value : isSeq(node) ? node.items[Number(key)] : undefined;
      rest = rest.slice(key.length + 1);
    }
    return out;
  };
  return { file, workload, locate, segments };
}
