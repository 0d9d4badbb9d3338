import { sql, type SqlBool, type UpdateQueryBuilder, type UpdateResult } from '#kysely';
import { ConflictError } from '@paved/model';
import type { Database } from '../schema.js';
import type { DeliverySource } from '../types.js';

/**
 * Whose an API record is (migration 0027, docs/metrics/dora.md "Whose records a team's calls
 * touch"). Records are kept by repository, and any team may register a service with any
 * repository URL, so a record's (repository, source, id) alone does not say who may rewrite it:
 * an API record carries the team that recorded it, and every update of one carries that team in
 * its own WHERE. The statement itself then decides, whatever else runs at the same time: it
 * rewrites the team's record (or takes one whose team 0027 could not tell), or changes nothing,
 * and the caller answers 409. Webhook records are not guarded: their ids come from GitHub or
 * GitLab, authenticated by the delivery's signature.
 */

type Kind = 'deployment' | 'change' | 'incident';

/** The team an API fact was recorded by; undefined for a webhook's. */
export function recorderOf(fact: { source: DeliverySource; recordedBy?: string }): string | undefined {
  if (fact.source !== 'api') return undefined;
  // A programming error, not the caller's: an API record without its team could be rewritten by anyone.
  if (fact.recordedBy === undefined) throw new Error('a fact recorded through the API must name its team (recordedBy)');
  return fact.recordedBy;
}

type RecordTable = 'delivery_deployments' | 'delivery_changes' | 'delivery_issues';

/**
 * Runs the update of an existing record. For an API record (`team` given) the update changes the
 * row only where it is the team's own, or no team is known to have recorded it (the caller's
 * values then make it the team's); an update that changed no row met another team's record, and
 * is refused with 409 naming only the id (the write's savepoint, or its transaction, undoes what it did before).
 */
export async function updateRecord<TB extends RecordTable>(
  update: UpdateQueryBuilder<Database, TB, TB, UpdateResult>, team: string | undefined, kind: Kind, id: string,
): Promise<void> {
  if (team === undefined) {
    await update.execute();
    return;
  }
  const result = await update.where(sql<SqlBool>`(recorded_by = ${team} or recorded_by is null)`).executeTakeFirstOrThrow();
  if (result.numUpdatedRows > 0n) return;
  throw new ConflictError(`Another team has recorded a ${kind} with id ${id} for this service's repository; record yours under an id of its own.`, {
    code: 'delivery_id_taken', issues: [{ path: 'id', message: 'is taken by another team' }],
  });
}
