import type { Document, LineCounter } from 'yaml';
import { InputError } from './errors.js';

const TOO_FAR = 'its aliases expand too far (a YAML "billion laughs")';

/**
 * A parsed YAML document as plain values, within yaml's alias limit: a document whose aliases
 * expand without end (nine lines can hold 10^8 strings) is bad input, an InputError with `code`
 * naming `file:line`, not the ReferenceError yaml throws, which the CLI would call a bug.
 */
export function documentValue(document: Document, file: string, lineCounter: LineCounter, code: string): unknown {
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const at = `${file}:${lineCounter.linePos(document.contents?.range?.[0] ?? 0).line}`;
    throw new InputError(`${at}: ${TOO_FAR}`, { code, issues: [{ path: at, message: TOO_FAR }] });
  }
}
