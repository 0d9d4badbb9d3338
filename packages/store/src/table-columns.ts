/**
 * Every column of a table, listed by name, for a statement that reads them all: a star (`select
 * *`, `returning *`) keeps a compiled statement from being prepared on PostgreSQL (compiled.ts),
 * so it is parsed and planned again on every run (an instance by id with its joins: 0.69 ms a
 * round trip unprepared, 0.29 prepared, on a machine whose `select 1` took 0.12; bench/README.md §1,
 * round 16). `columnsOf<T>()([...])` does not compile while the list lacks a column of `T`, so a
 * migration's new column cannot be dropped from such a read unseen.
 */
export function columnsOf<T>() {
  return <const L extends ReadonlyArray<keyof T & string>>(list: L & (Exclude<keyof T, L[number]> extends never ? unknown : never)): L => list;
}
