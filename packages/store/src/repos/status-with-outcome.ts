import { CompiledQuery, type Kysely } from '#kysely';
import type { CombinedStatement } from '../combined-write.js';
import { preparedStatement } from '../compiled.js';
import { binaryArray, type BinaryElementType } from '../dialect/postgres-binary-arrays.js';
import { INSTANCE_VIEW_COLUMNS, type InstanceViewRow } from '../rows.js';
import type { Database } from '../schema.js';
import { countedById, instanceUpdateParts, type InstanceUpdateShape } from './instance-updates.js';
import type { OutcomeColumn } from './measures-projection.js';

/** The outcome event's values (events.ts, eventAndOutcomeValues), after the update's arguments. */
const EVENT_GIVEN: ReadonlyArray<[alias: string, type: BinaryElementType]> = [
  ['paved_event_id', 'text'], ['paved_event_at', 'text'], ['paved_event_kind', 'text'], ['paved_event_team', 'text'],
  ['paved_event_instance', 'text'], ['paved_event_actor', 'text'], ['paved_event_data', 'text'], ['paved_event_at_ms', 'bigint'],
];

/**
 * A status write and its outcome event (a Ready, a Failed) in one statement on PostgreSQL
 * (bench/README §1 round 14), where they were two round trips inside the write's transaction:
 * the guarded update (instance-updates.ts's, its guards and NOTIFY unchanged) in a data-modifying
 * WITH, and the event's row and its request's outcome time (event-appends.ts's) inserted and set
 * only for the rows the update RETURNs. So an update whose guard fails (a lost lease, a held row
 * changed since: the caller then reads the row and writes again) changes nothing and appends no
 * event, as when the event was written only after the update had said it changed the row. The
 * event is of the updated instance (engine-queue.ts, loneOutcome, sees to it). Each write's
 * count (1 or 0) from the ids returned; the turn's writes of one shape in one statement
 * (combined-write.ts), a write alone as one row.
 */
export function statusWithOutcome(shape: InstanceUpdateShape, column: OutcomeColumn): CombinedStatement<readonly unknown[], number> | undefined {
  const parts = instanceUpdateParts(shape);
  if (parts === undefined) return undefined;
  const given = [...parts.given, ...EVENT_GIVEN];
  return countedById(preparedStatement(statusWithOutcomeText(parts, given, column, 'i."id"', 'select "id" from "changed"')), given);
}

/**
 * The instance a status write left (the row it RETURNs, the view's joins) and one of its secrets,
 * as statusWithOutcomeShown answers them; `rode`: whether a rider's event was appended (with one).
 */
export type ShownRow = InstanceViewRow & { secret_envelope: string | null; secret_updated_at: string | null; secret_key_id: string | null; rode?: boolean };

/** A rider's event (Store.rideOnReady) in the Ready's statement: its row's values (events.ts, EVENT_COLUMNS' order) and the auth epoch it holds under. */
export interface RiderRow {
  values: readonly [id: string, at: string, kind: string, teamId: string | null, instanceId: string | null, actor: string | null, data: string];
  authEpoch: number;
}

/**
 * statusWithOutcome for one write alone (writeAlone: the statement commits by itself) that also
 * answers the instance as it committed it, as a watcher reads it (rows.ts selectInstanceView:
 * the updated row, its team's, service's and parent's names) with its secret named last in the
 * arguments: the row the update RETURNs, the joins and the secret under the statement's own
 * snapshot, which has every commit made before the write was sent (the engine stores the
 * credentials before its Ready write). Undefined when the guard refused the write (nothing changed).
 * So a watcher in this process is told the Ready without reading it again (bench/README §1 round 24).
 */
export function statusWithOutcomeShown(shape: InstanceUpdateShape, column: OutcomeColumn, riding = false): ((db: Kysely<Database>, args: readonly unknown[], secretName: string, rider?: RiderRow) => Promise<ShownRow | undefined>) | undefined {
  const parts = instanceUpdateParts(shape);
  if (parts === undefined) return undefined;
  const given = [...parts.given, ...EVENT_GIVEN];
  const secretParam = `$${given.length + 1}::text`;
  // A rider's event (Store.rideOnReady): its values and auth epoch after the secret's name.
  const rider = riding ? given.length + 2 : undefined;
  const text = preparedStatement(statusWithOutcomeText(parts, given, column, 'i.*',
    `select ${INSTANCE_VIEW_COLUMNS.map((name) => `c."${name}"`).join(', ')}, t."name" as "team_name", s."name" as "service_name", p."name" as "parent_name", `
    + 'x."envelope" as "secret_envelope", x."updated_at" as "secret_updated_at", x."key_id" as "secret_key_id" '
    + (rider === undefined ? '' : `, exists (select 1 from "appended" where "rode") as "rode" `)
    + 'from "changed" as c join "teams" as t on t."id" = c."team_id" left join "services" as s on s."id" = c."service_id" '
    + 'left join "instances" as p on p."id" = c."parent_id" '
    + `left join "secrets" as x on x."owner_id" = c."id" and x."name" = ${secretParam}`, rider));
  return async (db, args, secretName, ridden) => {
    const arrays = given.map(([, type], n) => binaryArray(type, [args[n]]));
    const riderArgs = rider === undefined || ridden === undefined ? [] : [...ridden.values, ridden.authEpoch];
    if (rider !== undefined && ridden === undefined) throw new Error('a riding Ready statement without its rider');
    const result = await db.executeQuery<ShownRow>(CompiledQuery.raw(text, [...arrays, secretName, ...riderArgs]));
    return result.rows[0];
  };
}

/**
 * `rider`: the number of the first of a rider's parameters (its event's seven values, then the
 * auth epoch). Its row is inserted by the outcome event's own insert, after it (the rows in that
 * order, so `seq` too), only for a changed row and while the auth epoch is the one given: an
 * append as guarded as appendEventWhileAuthEpoch's, in the Ready's commit.
 */
function statusWithOutcomeText(parts: NonNullable<ReturnType<typeof instanceUpdateParts>>, given: ReadonlyArray<[alias: string, type: BinaryElementType]>, column: OutcomeColumn, returning: string, last: string, rider?: number): string {
  const outcomeRow = 'v."paved_event_id", v."paved_event_at", v."paved_event_kind", v."paved_event_team", v."paved_event_instance", v."paved_event_actor", v."paved_event_data" '
    + 'from "v" join "changed" as c on c."id" = v."id"';
  const rows = rider === undefined
    ? `select ${outcomeRow}`
    : `select e."id", e."at", e."kind", e."team_id", e."instance_id", e."actor", e."data" from (select 1 as "n", ${outcomeRow} `
      + `union all select 2, ${Array.from({ length: 7 }, (_, n) => `$${rider + n}::text`).join(', ')} from "changed" `
      + `where (select "epoch" from "auth_epoch" where "id" = 1) = $${rider + 7}::bigint) as e("n", "id", "at", "kind", "team_id", "instance_id", "actor", "data") order by e."n"`;
  return `with "v" as (select * from unnest(${given.map(([, type], n) => `$${n + 1}::${type}[]`).join(', ')}) as v(${given.map(([alias]) => `"${alias}"`).join(', ')})), `
    + `"changed" as (update "instances" as i set ${parts.set} from "v" where ${parts.where} returning ${returning}${parts.announced}), `
    + `"appended" as (insert into "events" ("id", "at", "kind", "team_id", "instance_id", "actor", "data") `
    + rows + (rider === undefined ? '' : ` returning "id" = $${rider}::text as "rode"`) + '), '
    + `"outcome" as (update "instance_requests" as r set "${column}" = v."paved_event_at_ms" from "v" join "changed" as c on c."id" = v."id" `
    + `where r."instance_id" = v."id" and r."${column}" is null) `
    + last;
}
