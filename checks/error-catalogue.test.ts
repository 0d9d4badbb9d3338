import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCatalogue, type ErrorKind } from '@paved/model';
import { errorClasses, raisedCodes, type RaisedCode } from './error-codes.js';
import { productionSources, root } from './repository.js';

/**
 * docs/errors.md is the catalogue of every error code Paved raises, in every package, and
 * nothing else (docs/architecture.md#errors): each code raised in the source is documented with
 * the kind it is raised with and that kind's HTTP status and exit code (errorCatalogue), and
 * each documented code is raised somewhere. How codes are found: error-codes.ts.
 */

const CATALOGUE = 'docs/errors.md';
const CODE_COLUMNS = ['code', 'kind', 'status', 'exit', 'meaning', 'what to do'];

interface DocRow {
  line: number;
  cells: string[];
}

/** Splits a Markdown table row into cells; `|` inside `code` or escaped as `\|` stays in its cell. */
function cellsOf(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  const text = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '`') inCode = !inCode;
    if (c === '|' && !inCode && text[i - 1] !== '\\') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

/** Every table of the page: its header cells and its rows with their line numbers. */
function tablesOf(markdown: string): { header: string[]; line: number; rows: DocRow[] }[] {
  const tables: { header: string[]; line: number; rows: DocRow[] }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || !/^\|[\s|:-]+\|$/.test(lines[i + 1] ?? '')) continue;
    const table = { header: cellsOf(lines[i]!), line: i + 1, rows: [] as DocRow[] };
    for (i += 2; i < lines.length && lines[i]!.startsWith('|'); i++) table.rows.push({ line: i + 1, cells: cellsOf(lines[i]!) });
    tables.push(table);
  }
  return tables;
}

const doc = readFileSync(join(root, CATALOGUE), 'utf8');
const tables = tablesOf(doc);
const codeTables = tables.filter((t) => t.header[0] === 'code');
const documented = codeTables.flatMap((t) => t.rows.map((row) => ({ ...row, code: row.cells[0]!.replace(/^`|`$/g, '') })));

const classes = errorClasses(readFileSync(join(root, 'packages/model/src/errors.ts'), 'utf8'));
const { raised, unresolved } = raisedCodes(productionSources().map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') })), classes);
const sitesOf = new Map<string, RaisedCode[]>();
for (const r of raised) sitesOf.set(r.code, [...(sitesOf.get(r.code) ?? []), r]);
const where = (r: RaisedCode) => `${r.file}:${r.line}`;

describe('the error-code scanner', () => {
  it('knows every error class of the model with its kind and default code', () => {
    expect(Object.fromEntries(classes)).toMatchObject({
      InputError: { kind: 'input', defaultCode: 'invalid_input' },
      DriverError: { kind: 'driver', defaultCode: 'driver_failed' },
      InternalError: { kind: 'internal', defaultCode: 'internal' },
    });
    expect(new Set([...classes.values()].map((c) => c.kind))).toEqual(new Set(Object.keys(errorCatalogue)));
  });

  it('follows literals, ternaries, fallbacks, constants and codes passed into helpers; reports the rest', () => {
    const files = [{
      file: 'a.ts',
      text: [
        "export const PENDING = 'work_pending';",
        "throw new DriverError('m', { code: PENDING });",
        "throw new ConflictError('m', { code: taken ? 'name_taken' : 'id_taken' });",
        "throw new DriverError('m', { code: condition.reason ?? 'fallback_code' });",
        "throw new NotFoundError('m');",
        "const conflictOn = (field: string, code: string) => (error: unknown) => { throw new ConflictError('m', { code }); };",
        "conflictOn('name', 'user_exists');",
        "function scored(problems: string[], code = 'score_default') { return new InputError('m', { code }); }",
        "scored([], 'workload_bad');",
        "const REQUEST = { X: { status: 413, code: 'too_big' } };",
        "if (error.code === 'ENOENT') throw new InputError('m', { code: 'file_gone' });",
        "throw new InputError('m', { code: error.code });",
        "throw new InputError('m', { code: 'NotSnake' });",
        "// throw new InputError('m', { code: 'in_a_comment' });",
      ].join('\n'),
    }];
    const { raised: found, unresolved: open } = raisedCodes(files, classes);
    const codes = found.filter((r) => r.file === 'a.ts').map((r) => `${r.code}:${r.kind ?? '-'}${r.status ? `:${r.status}` : ''}`);
    expect(codes.sort()).toEqual([
      'fallback_code:driver', 'file_gone:input', 'id_taken:conflict', 'name_taken:conflict', 'not_found:not-found', 'score_default:input',
      'too_big:-:413', 'user_exists:conflict', 'work_pending:driver', 'workload_bad:input',
    ].sort());
    expect(open.map((u) => `${u.file}:${u.line}: ${u.expression}`)).toEqual([
      'a.ts:12: code: error.code',
      "a.ts:13: 'NotSnake' is not a snake_case code",
    ]);
  });
});

describe(`${CATALOGUE}`, () => {
  it('is read from every package, and finds codes where they are known to be raised (a scan that finds nothing would pass on nothing)', () => {
    expect(sitesOf.size).toBeGreaterThan(120);
    const raisedIn = (code: string, file: string) => (sitesOf.get(code) ?? []).some((r) => r.file === file);
    expect(raisedIn('version_immutable', 'packages/server/src/products/service.ts')).toBe(true);
    expect(raisedIn('quota_exceeded', 'packages/store/src/repos/instances.ts')).toBe(true);
    expect(raisedIn('user_exists', 'packages/store/src/repos/identity.ts')).toBe(true); // through a helper
    expect(raisedIn('role_insufficient', 'packages/server/src/access/principal.ts')).toBe(true); // a ternary
    expect(raisedIn('driver_pending', 'packages/driver-api/src/index.ts')).toBe(true); // a constant
    expect(raisedIn('score_invalid', 'packages/model/src/score/score-errors.ts')).toBe(true); // a parameter's default
    expect(raisedIn('body_too_large', 'packages/server/src/http/problems.ts')).toBe(true); // a Fastify request error
    expect(raisedIn('secret_unreadable', 'packages/secrets/src/secret-box.ts')).toBe(true);
    expect(raisedIn('webhook_timeout', 'packages/drivers/webhook/src/deliver.ts')).toBe(true);
    expect(raisedIn('config_invalid', 'packages/platform/src/config.ts')).toBe(true);
    expect(raisedIn('wait_timeout', 'packages/cli/src/wait.ts')).toBe(true);
    expect(raisedIn('server_unreachable', 'packages/client/src/transport.ts')).toBe(true);
    expect(documented.length).toBeGreaterThan(120);
  });

  it('can tell the code of every Paved error raised', () => {
    expect(unresolved.map((u) => `${u.file}:${u.line}: ${u.expression}`), 'use a literal, a constant, or a helper parameter for `code`').toEqual([]);
  });

  it('has each kind with its HTTP status, CLI exit code and title (errorCatalogue)', () => {
    const kinds = tables.find((t) => t.header[0] === 'kind')!;
    expect(kinds, 'the table of kinds').toBeDefined();
    expect(kinds.rows.map((r) => r.cells.slice(0, 4).join(' | '))).toEqual(
      Object.values(errorCatalogue).map((e) => `\`${e.kind}\` | ${e.status} | ${e.exitCode} | ${e.title}`),
    );
  });

  it('lists codes in tables of code, kind, status, exit, meaning and what to do, each code once', () => {
    expect(codeTables.length).toBeGreaterThan(5);
    for (const table of codeTables) expect(table.header, `${CATALOGUE}:${table.line}`).toEqual(CODE_COLUMNS);
    const problems: string[] = [];
    const seen = new Map<string, number>();
    for (const row of documented) {
      const at = `${CATALOGUE}:${row.line}`;
      if (!/^`[a-z][a-z0-9_]*`$/.test(row.cells[0]!)) problems.push(`${at}: the code cell is not one \`code\``);
      if (seen.has(row.code)) problems.push(`${at}: ${row.code} is already listed at line ${seen.get(row.code)}`);
      seen.set(row.code, row.line);
      if (row.cells.length !== CODE_COLUMNS.length || row.cells.some((cell) => cell === '')) problems.push(`${at}: ${row.code} needs all ${CODE_COLUMNS.length} cells filled`);
    }
    expect(problems).toEqual([]);
  });

  it('documents every code raised in the source, with the kind it is raised with and that kind\'s status and exit code', () => {
    const problems: string[] = [];
    for (const [code, sites] of sitesOf) {
      const row = documented.find((d) => d.code === code);
      if (row === undefined) {
        problems.push(`${code} (raised at ${sites.map(where).join(', ')}) is missing from ${CATALOGUE}`);
        continue;
      }
      const at = `${CATALOGUE}:${row.line}: ${code}`;
      const [, kind, status, exit] = row.cells as [string, ErrorKind, string, string];
      const entry = errorCatalogue[kind];
      if (entry === undefined) {
        problems.push(`${at}: kind "${kind}" is not one of ${Object.keys(errorCatalogue).join(', ')}`);
        continue;
      }
      const kinds = new Set(sites.flatMap((s) => (s.kind === undefined ? [] : [s.kind])));
      if (kinds.size > 1) problems.push(`${code} is raised as ${[...kinds].join(' and ')} (${sites.map((s) => `${s.kind ?? '?'} at ${where(s)}`).join(', ')}): one code, one kind`);
      else if (kinds.size === 1 && !kinds.has(kind)) problems.push(`${at}: documented as ${kind}, raised as ${[...kinds][0]} (${sites.map(where).join(', ')})`);
      const ownStatus = sites.find((s) => s.status !== undefined)?.status;
      const wantStatus = ownStatus ?? entry.status;
      if (status !== String(wantStatus)) problems.push(`${at}: status ${status}, but ${ownStatus === undefined ? `kind ${kind} answers` : 'the server answers'} ${wantStatus}`);
      if (exit !== String(entry.exitCode)) problems.push(`${at}: exit ${exit}, but kind ${kind} exits ${entry.exitCode}`);
    }
    expect(problems).toEqual([]);
  });

  it('documents no code that nothing raises', () => {
    const stale = documented.filter((d) => !sitesOf.has(d.code)).map((d) => `${CATALOGUE}:${d.line}: ${d.code}`);
    expect(stale, 'remove the row, or raise the code').toEqual([]);
  });
});
