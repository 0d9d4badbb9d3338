import { CompiledQuery, PostgresAdapter, sql, type Compilable, type InsertQueryBuilder, type InsertResult, type Kysely } from '#kysely';
import type { Database } from './schema.js';

/**
 * A statement whose SQL never changes, only its values: built and compiled by Kysely once per
 * dialect, then run with new parameters (a transaction's handle shares its database's dialect
 * adapter, so it finds the same compiled SQL). Writes too: ingestion's hot inserts. Building and compiling a query was a third of the
 * server's CPU time under read load (bench/api-reads.mjs), more than SQLite's own work, for
 * the same few statements on every request.
 *
 * `build` is called once with placeholder values standing for its arguments; every one of them
 * must reach the SQL as a bound parameter (a value in a where, a limit), never shape it: a
 * builder that branches on its arguments or inlines one is refused at its first use. Outside a
 * SQLite transaction the compiled query still runs through Kysely's executor, so it waits for a
 * transaction in progress as every other query does; inside one it runs at once (runDirectly).
 */
/** The SQL of every compiled statement, each with a number of its own: see preparedName. */
const fixedStatements = new Map<string, number>();

/**
 * The name a compiled statement is prepared under on a PostgreSQL connection (dialect/postgres.ts),
 * undefined for any other SQL. PostgreSQL then parses it once a connection and, after a few runs,
 * keeps a generic plan, instead of parsing and planning the same joins for every request. Never
 * for a `*`: a prepared `select *` fails once another process's migration changes the table.
 */
export function preparedName(sql: string): string | undefined {
  const n = fixedStatements.get(sql);
  return n === undefined ? undefined : `paved_${n}`;
}

/**
 * `sql`, a statement written out by hand whose text never changes (only its parameters: a
 * combined write's arrays, combined-write.ts), prepared by name on PostgreSQL as a compiled one is.
 */
export function preparedStatement(sql: string): string {
  if (!fixedStatements.has(sql)) fixedStatements.set(sql, fixedStatements.size);
  return sql;
}

/**
 * Runs a statement on the connection a transaction holds, at once and without Kysely's executor
 * (its connection provider, mutex and result transform are some promises a statement): SQLite's
 * transactions register theirs (dialect/sqlite.ts), as better-sqlite3 runs a statement
 * synchronously. Only while the transaction runs; compiled statements on any other handle go
 * through Kysely as before. Returns the statement's rows ([] for one that returns none).
 */
export interface DirectRunner {
  /** The statement's rows ([] for one that returns none). */
  rows(sql: string, parameters: readonly unknown[]): unknown[];
  /** How many rows the statement changed (compiledChange). */
  changes(sql: string, parameters: readonly unknown[]): number;
}
const directRunners = new WeakMap<object, DirectRunner>();

/** `db` runs compiled statements through `runner` until `withdrawDirect(db)`. */
export function runDirectly(db: Kysely<Database>, runner: DirectRunner): void {
  directRunners.set(db, runner);
}

export function withdrawDirect(db: Kysely<Database>): void {
  directRunners.delete(db);
}

export function compiledRead<A extends unknown[], R>(
  build: (db: Kysely<Database>, ...args: A) => Compilable<R>,
): (db: Kysely<Database>, ...args: A) => Promise<R[]> {
  const compiledFor = compiledStatement(build);
  return async (db, ...args) => {
    const { sql, slots } = compiledFor(db, args.length);
    const parameters = slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value));
    const direct = directRunners.get(db);
    if (direct !== undefined) return direct.rows(sql, parameters) as R[];
    return (await db.executeQuery<R>(CompiledQuery.raw(sql, parameters))).rows;
  };
}

/**
 * compiledRead for an update or delete whose caller needs only how many rows it changed: no
 * RETURNING list. On SQLite a RETURNING clause made an update cost about twice as much (its
 * rows are collected in a temporary table, then read back: 2.4 against 5.9 µs and more a
 * statement, timed alone), and the engine's lease-guarded writes only count their rows.
 */
export function compiledChange<A extends unknown[]>(
  build: (db: Kysely<Database>, ...args: A) => Compilable<unknown>,
): (db: Kysely<Database>, ...args: A) => Promise<number> {
  const compiledFor = compiledStatement(build);
  return async (db, ...args) => {
    const { sql, slots } = compiledFor(db, args.length);
    const parameters = slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value));
    const direct = directRunners.get(db);
    if (direct !== undefined) return direct.changes(sql, parameters);
    return Number((await db.executeQuery(CompiledQuery.raw(sql, parameters))).numAffectedRows ?? 0n);
  };
}

/**
 * A star that stands for a table's columns (`select *`, `"t".*`, `returning *`): its statement's
 * result would change shape with the table, which a prepared statement refuses ("cached plan must
 * not change result type") once another process's migration adds a column. `count(*)` and a
 * product's `*` are not that, and leave a statement preparable (the usage reads on every create).
 */
const SELECTS_STAR = /(?:\.|\bselect\s+(?:distinct\s+)?|\breturning\s+|,\s*)\*/i;

/** A statement built and compiled once per dialect (compiledRead): its SQL, and where each argument goes. */
function compiledStatement<A extends unknown[]>(
  build: (db: Kysely<Database>, ...args: A) => Compilable<unknown>,
): (db: Kysely<Database>, arity: number) => { sql: string; slots: Array<{ arg: number } | { value: unknown }> } {
  const compiled = new WeakMap<object, { sql: string; slots: Array<{ arg: number } | { value: unknown }> }>();
  const compile = (db: Kysely<Database>, arity: number) => {
    const placeholders = Array.from({ length: arity }, (_, i) => `\u0000paved-arg-${i}\u0000`);
    const query = build(db, ...(placeholders as A)).compile();
    const slots = query.parameters.map((value) => {
      const arg = placeholders.indexOf(value as string);
      return arg >= 0 ? { arg } : { value };
    });
    const used = new Set(slots.flatMap((slot) => ('arg' in slot ? [slot.arg] : [])));
    if (used.size !== arity || query.sql.includes('\u0000')) throw new Error(`compiledRead: every argument must be a bound parameter (${query.sql})`);
    const entry = { sql: query.sql, slots };
    if (!fixedStatements.has(query.sql) && !SELECTS_STAR.test(query.sql)) fixedStatements.set(query.sql, fixedStatements.size);
    compiled.set(db.getExecutor().adapter, entry);
    return entry;
  };
  return (db, arity) => compiled.get(db.getExecutor().adapter) ?? compile(db, arity);
}

/**
 * compiledRead for a statement of many rows, a multi-row insert into `table` (`finish` may add,
 * say, an ON CONFLICT): built and compiled by Kysely once per dialect, then run with the rows'
 * values. Parsing and compiling 500 rows of 38 values took Kysely longer than SQLite took to
 * insert them. On SQLite the rows are bound values (`values (?, …), …`), compiled once per
 * number of rows. On PostgreSQL they go as one JSON parameter that `json_populate_recordset`
 * turns into the table's row type: one statement whatever the row count, prepared by name
 * (preparedName), where 500 rows of `values` were 18,500 parameters for the server to parse
 * and plan on every batch (a third of the insert's time there). The first row goes whole, as
 * the base record, and each row only with the values that differ from it (rowsAgainstBase): a
 * batch of requests shares most of its 37 instance columns (product, plan, target, timestamps,
 * the first status, nulls), so the JSON the client writes and the server parses is a few
 * values a row, not all of them.
 */
export function compiledRows<T extends keyof Database & string, C extends keyof Database[T] & string>(
  table: T,
  columns: readonly C[],
  finish: (insert: InsertQueryBuilder<Database, T, InsertResult>) => Compilable<unknown> = (insert) => insert,
): (db: Kysely<Database>, rows: ReadonlyArray<Record<C, unknown>>) => Promise<void> {
  const compiled = new WeakMap<object, Map<number, { sql: string; slots: Array<{ row: number; column: C }> }>>();
  const compile = (db: Kysely<Database>, count: number) => {
    const placeholders = new Map<string, { row: number; column: C }>();
    const rows = Array.from({ length: count }, (_, row) => Object.fromEntries(columns.map((column) => {
      const placeholder = `\u0000paved-row-${row}-${column}\u0000`;
      placeholders.set(placeholder, { row, column });
      return [column, placeholder];
    })));
    const query = finish(db.insertInto(table).values(rows as never)).compile();
    const slots = query.parameters.map((value) => placeholders.get(value as string));
    if (slots.some((slot) => slot === undefined) || slots.length !== placeholders.size || query.sql.includes('\u0000')) {
      throw new Error(`compiledRows: every value must be a bound parameter, once (${query.sql.slice(0, 200)})`);
    }
    return { sql: query.sql, slots: slots as Array<{ row: number; column: C }> };
  };
  const asJson = new WeakMap<object, string>();
  const compileJson = (db: Kysely<Database>) => {
    const base = '\u0000paved-base\u0000';
    const placeholder = '\u0000paved-rows\u0000';
    const rows = rowsFromJson(db, table, columns, base, placeholder);
    const query = finish(db.insertInto(table).columns(columns as never).expression(rows as never)).compile();
    if (query.parameters.length !== 2 || query.parameters[0] !== base || query.parameters[1] !== placeholder || query.sql.includes('\u0000')) {
      throw new Error(`compiledRows: every value must come from the rows (${query.sql.slice(0, 200)})`);
    }
    if (!fixedStatements.has(query.sql)) fixedStatements.set(query.sql, fixedStatements.size);
    return query.sql;
  };
  return async (db, rows) => {
    if (rows.length === 0) return;
    const adapter = db.getExecutor().adapter;
    if (adapter instanceof PostgresAdapter) {
      let text = asJson.get(adapter);
      if (text === undefined) asJson.set(adapter, (text = compileJson(db)));
      await db.executeQuery(CompiledQuery.raw(text, rowsAgainstBase(rows, columns)));
      return;
    }
    let byCount = compiled.get(adapter);
    if (!byCount) compiled.set(adapter, (byCount = new Map()));
    let entry = byCount.get(rows.length);
    if (!entry) byCount.set(rows.length, (entry = compile(db, rows.length)));
    const parameters = entry.slots.map(({ row, column }) => rows[row]![column]);
    const direct = directRunners.get(db);
    if (direct !== undefined) direct.rows(entry.sql, parameters);
    else await db.executeQuery(CompiledQuery.raw(entry.sql, parameters));
  };
}

/**
 * PostgreSQL: `columns` of the rows that rowsAgainstBase's two JSON texts describe, as a select
 * an insert can take (`insertInto(table).columns(columns).expression(…)`).
 */
export function rowsFromJson<T extends keyof Database & string>(db: Kysely<Database>, table: T, columns: readonly string[], base: unknown, rows: unknown) {
  return db.selectFrom(sql<Record<string, unknown>>`json_populate_recordset(json_populate_record(null::${sql.table(table)}, ${base}::json), ${rows}::json)`.as('r')).select(columns as never);
}

/**
 * compiledRows' two JSON parameters on PostgreSQL: the first row, every named column, as the
 * base record; then each row as the columns whose value is not the base's (`===`: an object
 * value always goes), which `json_populate_recordset` takes from the base. Only the named
 * columns: a row's other properties must not reach the table. An undefined value is sent as
 * null, as it was when the rows went whole (a missing key was a null column).
 */
export function rowsAgainstBase(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): [string, string] {
  const first = rows[0]!;
  const base = columns.map((column) => first[column] ?? null);
  const keys = columns.map((column) => `${JSON.stringify(column)}:`);
  let out = '[';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    let text = '';
    for (let i = 0; i < columns.length; i++) {
      const value = row[columns[i]!] ?? null;
      if (value === base[i]) continue;
      text += `${text === '' ? '' : ','}${keys[i]}${JSON.stringify(value)}`;
    }
    out += `${r === 0 ? '' : ','}{${text}}`;
  }
  return [JSON.stringify(Object.fromEntries(columns.map((column, i) => [column, base[i]]))), `${out}]`];
}
