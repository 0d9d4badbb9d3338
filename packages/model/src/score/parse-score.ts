import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { InputError } from '../errors.js';
import { validateScoreDocument } from './validate-score.js';
import type { ScoreLocation, ScoreLocator, ScoreWorkload } from './types.js';

export interface ParsedScore {
  file: string;
  workload: ScoreWorkload;
  /** file:line:column of a dotted path, for errors found later (unknown type, bad placeholder). */
  locate: ScoreLocator;
}

/**
 * Parses a score.yaml, keeping line numbers: every error (YAML syntax or Score content) names
 * `file:line:column` and the path. One document per file, as Score has it.
 */
export function parseScoreText(text: string, file: string): ParsedScore {
  const lineCounter = new LineCounter();
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
  const workload = validateScoreDocument(document.toJS(), locate, file);
  return { file, workload, locate };
}
