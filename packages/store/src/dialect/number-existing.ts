import { sql, type Kysely } from '#kysely';

/**
 * Numbers a table's existing rows 1, 2, … in `order` (SQL), into `column`: the first values of
 * a column added by `addInsertionOrder`. Window functions and UPDATE … FROM read the same on
 * SQLite (3.33+) and PostgreSQL; tables are keyed by `id`.
 */
export async function numberExisting(db: Kysely<any>, table: string, column: string, order: string): Promise<void> {
  await sql`update ${sql.table(table)} set ${sql.ref(column)} = numbered.n
    from (select id, row_number() over (order by ${sql.raw(order)}) as n from ${sql.table(table)}) as numbered
    where ${sql.table(table)}.id = numbered.id`.execute(db);
}
