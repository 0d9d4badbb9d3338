import { CompiledQuery } from '#kysely';
import type { CombinedStatement } from '../combined-write.js';
import { preparedStatement } from '../compiled.js';
import { binaryArray } from '../dialect/postgres-binary-arrays.js';
import type { SecretWriteOutcome } from '../types.js';

/** One secret upsert's row (secrets.ts, putSecret). */
export interface SecretUpsert {
  ownerId: string;
  name: string;
  envelope: string;
  keyId: string;
  updatedAt: string;
}

/**
 * The secret upserts of a batch of the engine's writes in one statement (PostgreSQL): every
 * pass writes two (its generated secret, its credentials), a third of a pass's statements. The
 * same as putSecret's one-row statement, a row each: the keyring row under a shared lock, and
 * no row written whose key is not the active one. The rows go as one array a column (unnest),
 * so the text is the same whatever their number and is prepared once a connection.
 */
const UPSERT_ROWS = preparedStatement(
  'with "active" as (select "active_key_id" from "keyring" where "id" = 1 for share) '
  + 'insert into "secrets" ("owner_id", "name", "envelope", "key_id", "updated_at") '
  + 'select r."owner_id", r."name", r."envelope", r."key_id", r."updated_at" '
  + 'from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) as r("owner_id", "name", "envelope", "key_id", "updated_at") '
  + 'where not exists (select 1 from "active" where "active_key_id" <> r."key_id") '
  + 'on conflict ("owner_id", "name") do update set "envelope" = excluded."envelope", "key_id" = excluded."key_id", "updated_at" = excluded."updated_at"',
);

/**
 * Every row written is 'written'. Should fewer be written (a master key switched under some:
 * 'stale-key'), which ones is not counted: the statement fails, its batch runs again, each upsert
 * alone, and each gets its own outcome. Two rows of one secret fail the statement (PostgreSQL
 * will not update a row twice in one) and run again alone too.
 */
export const secretUpserts: CombinedStatement<SecretUpsert, SecretWriteOutcome> = {
  async run(trx, rows) {
    // Binary arrays: nothing escaped by the client, nothing parsed by the server (postgres-binary-arrays.ts).
    const result = await trx.executeQuery(CompiledQuery.raw(UPSERT_ROWS, [
      binaryArray('text', rows.map((row) => row.ownerId)), binaryArray('text', rows.map((row) => row.name)),
      binaryArray('text', rows.map((row) => row.envelope)), binaryArray('text', rows.map((row) => row.keyId)),
      binaryArray('text', rows.map((row) => row.updatedAt)),
    ]));
    const written = Number(result.numAffectedRows ?? 0n);
    if (written !== rows.length) throw new Error(`a combined secret upsert wrote ${written} of its ${rows.length} rows: run again one at a time`);
    return rows.map(() => 'written' as const);
  },
};
