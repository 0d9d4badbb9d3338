import { CompiledQuery } from '#kysely';
import type { CombinedStatement } from '../combined-write.js';
import { preparedStatement } from '../compiled.js';
import { binaryArray, type BinaryElementType } from '../dialect/postgres-binary-arrays.js';
import { CHANGE_CHANNEL } from '../dialect/change-channel.js';

/**
 * PostgreSQL's types of the instance columns the engine's writes set (migrations.ts): a
 * combined update's rows go as one typed array a column. A write setting any other column is
 * not combined (combinedInstanceUpdate answers undefined) and runs as its own statement.
 */
const COLUMN_TYPES: Readonly<Record<string, BinaryElementType>> = {
  status: 'text', outputs: 'text', observed_generation: 'integer', status_hash: 'text', updated_at: 'text',
  pending_action: 'text', deletion_step: 'text', attempts: 'integer', due_at: 'bigint',
  lease_owner: 'text', lease_token: 'text', lease_expires_at: 'bigint',
  rotation: 'integer', desired_rotation: 'integer', revoke_rotation: 'integer', revoke_at: 'bigint',
};

/** The shape of one of engine-queue.ts's updateInstance statements, and so of its arguments: id, then the guards', then the columns'. */
export interface InstanceUpdateShape {
  columns: readonly string[];
  leased: boolean;
  announced: boolean;
  unchangedSince: boolean;
}

/**
 * What an update of one shape is made of (combinedInstanceUpdate's, and status-with-outcome.ts's
 * with its event): the arrays given (`v`'s columns: id, the guards', the columns'), the SET list,
 * the guards (the row `i`, the given `v`) and the NOTIFY for the RETURNING list. Undefined for a
 * column the engine's writes do not set.
 */
export function instanceUpdateParts(shape: InstanceUpdateShape): { given: Array<[alias: string, type: BinaryElementType]>; set: string; where: string; announced: string } | undefined {
  if (shape.columns.some((column) => COLUMN_TYPES[column] === undefined)) return undefined;
  const given: Array<[alias: string, type: BinaryElementType]> = [['id', 'text']];
  if (shape.leased) given.push(['paved_lease_token', 'text']);
  if (shape.announced) given.push(['paved_announcement', 'text']);
  if (shape.unchangedSince) given.push(['paved_unchanged_since', 'text']);
  for (const column of shape.columns) given.push([column, COLUMN_TYPES[column]!]);
  const where = ['i."id" = v."id"'];
  if (shape.leased) where.push('i."lease_token" = v."paved_lease_token"');
  if (shape.unchangedSince) {
    where.push('i."status_hash" = v."paved_unchanged_since"', 'i."generation" = i."claimed_generation"', 'i."desired_rotation" = i."claimed_desired_rotation"');
  }
  return {
    given,
    set: shape.columns.map((column) => `"${column}" = v."${column}"`).join(', '),
    where: where.join(' and '),
    announced: shape.announced ? `, pg_notify('${CHANGE_CHANNEL}', v."paved_announcement") as "announced"` : '',
  };
}

/**
 * The updates of one shape made in one turn (combined-write.ts), one `update … from unnest(…)`
 * (PostgreSQL): the same guards a row (its lease token, the status hash it was last known by),
 * the same NOTIFY for each row it changes (pg_notify on CHANGE_CHANNEL, as the adapter's
 * `announcing`). RETURNING the ids it changed tells each write its own count, 1 or 0, so a
 * write whose lease is gone, or whose row changed since, is refused alone, as by its own
 * statement. Two writes of one row cannot be told apart: the statement is not run (it fails,
 * and its batch runs again one write at a time).
 */
export function combinedInstanceUpdate(shape: InstanceUpdateShape): CombinedStatement<readonly unknown[], number> | undefined {
  const parts = instanceUpdateParts(shape);
  if (parts === undefined) return undefined;
  const { given } = parts;
  const text = preparedStatement(
    `update "instances" as i set ${parts.set} `
    + `from unnest(${given.map(([, type], n) => `$${n + 1}::${type}[]`).join(', ')}) as v(${given.map(([alias]) => `"${alias}"`).join(', ')}) `
    + `where ${parts.where} returning i."id"${parts.announced}`,
  );
  return countedById(text, given);
}

/**
 * A combined update whose rows (id first) go as one binary array a column of `given`, and whose
 * RETURNING names the ids it changed: each row's count, 1 or 0. Two rows of one instance cannot
 * be told apart: the statement is not run (it fails, and its batch runs again one write at a time).
 */
export function countedById(text: string, given: ReadonlyArray<[alias: string, type: BinaryElementType]>): CombinedStatement<readonly unknown[], number> {
  return {
    async run(trx, rows) {
      const ids = new Set(rows.map((args) => args[0] as string));
      if (ids.size !== rows.length) throw new Error('two updates of one instance in one combined statement: run again one at a time');
      // Binary arrays: nothing escaped by the client, nothing parsed by the server (postgres-binary-arrays.ts).
      const arrays = given.map(([, type], n) => binaryArray(type, rows.map((args) => args[n])));
      const result = await trx.executeQuery<{ id: string }>(CompiledQuery.raw(text, arrays));
      const changed = new Set(result.rows.map((row) => row.id));
      return rows.map((args) => (changed.has(args[0] as string) ? 1 : 0));
    },
  };
}
