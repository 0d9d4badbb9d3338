import { CompiledQuery, type Kysely, type Selectable } from '#kysely';
import { preparedStatement } from '../compiled.js';
import type { Database, InstancesTable } from '../schema.js';

/** A claimed row: the instance as selectInstances reads it, and whether any secret of it is stored. */
export type ClaimedRow = Selectable<InstancesTable> & { team_name: string; service_name: string | null; parent_name: string | null; secrets_stored: boolean | number };

/**
 * The claim on PostgreSQL as one statement: the due rows picked and locked (`skip locked`, so
 * concurrent claimers pass over each other's rows), their lease written, and their whole rows
 * read back, with the same names and order as engine-queue.ts's claim on SQLite (an update,
 * then a select of the rows it claimed, in one transaction). One statement is atomic by itself,
 * so it needs no transaction: one round trip instead of four (BEGIN, the update, the select,
 * COMMIT), and a text that never changes, prepared once a connection (compiled.ts), instead of
 * a Kysely build a claim and an `in (…)` list of a varying length that the server planned each
 * time (bench/README §3 round 11). The rows read are the rows as the update left them
 * (RETURNING), as the select after the update read them. Exported for the engine's ceiling
 * (bench/engine-ceiling.mjs), which claims with this very statement.
 */
export const CLAIM = preparedStatement(
  'with "claimed" as ('
  + 'update "instances" set "lease_owner" = $1, "lease_token" = $2, "lease_expires_at" = $3, '
  + '"claimed_generation" = "generation", "claimed_desired_rotation" = "desired_rotation" '
  + 'where "id" in (select "id" from "instances" where "due_at" <= $4 and ("lease_expires_at" is null or "lease_expires_at" <= $4) '
  + 'order by "due_at", "seq" limit $5 for update skip locked) '
  + 'returning "instances".*) '
  + 'select "claimed".*, "teams"."name" as "team_name", "services"."name" as "service_name", "parents"."name" as "parent_name", '
  + 'exists (select "secrets"."owner_id" from "secrets" where "secrets"."owner_id" = "claimed"."id") as "secrets_stored" '
  + 'from "claimed" inner join "teams" on "teams"."id" = "claimed"."team_id" '
  + 'left join "services" on "services"."id" = "claimed"."service_id" '
  + 'left join "instances" as "parents" on "parents"."id" = "claimed"."parent_id" '
  + 'order by "claimed"."due_at", "claimed"."seq"',
);

/** Claims up to `limit` rows due at `now` for `owner` under `leaseToken` until `leaseExpiresAt` (PostgreSQL). */
export async function claimInOneStatement(db: Kysely<Database>, claim: { owner: string; leaseToken: string; leaseExpiresAt: number; now: number; limit: number }): Promise<ClaimedRow[]> {
  const result = await db.executeQuery<ClaimedRow>(CompiledQuery.raw(CLAIM, [claim.owner, claim.leaseToken, claim.leaseExpiresAt, claim.now, claim.limit]));
  return result.rows as ClaimedRow[];
}
