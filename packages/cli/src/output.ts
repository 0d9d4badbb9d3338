import Table from 'cli-table3';
import { yamlLib } from './lazy-yaml.js';
import type { Colors } from './colors.js';
import { printable } from './terminal-text.js';

export { OUTPUT_FORMATS, type OutputFormat } from './output-formats.js';
import type { OutputFormat } from './output-formats.js';

/** json/yaml print the API object unchanged, so scripts see exactly what the API returns. */
export function formatData(data: unknown, format: Exclude<OutputFormat, 'table'>): string {
  return format === 'json' ? JSON.stringify(data, null, 2) + '\n' : yamlLib().stringify(data);
}

const borderless = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '   ',
};

/** A borderless table like kubectl's: easy to read and to grep. Cells come from the API: printable only (terminal-text.ts). */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], colors: Colors): string {
  const table = new Table({
    head: headers.map((h) => colors.bold(h)),
    chars: borderless,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) table.push(row.map((cell) => printable(cell, { newlines: true })));
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n') + '\n';
}

/** `key: value` lines with the keys aligned; values printable only, as a table's cells. */
export function formatFields(fields: readonly (readonly [string, string | undefined])[], colors: Colors): string {
  const shown = fields.filter(([, v]) => v !== undefined && v !== '');
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${colors.bold((k + ':').padEnd(width + 1))} ${printable(v!, { newlines: true })}\n`).join('');
}
