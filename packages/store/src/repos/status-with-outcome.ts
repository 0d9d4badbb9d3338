import type { CombinedStatement } from '../combined-write.js';
import { preparedStatement } from '../compiled.js';
import type { BinaryElementType } from '../dialect/postgres-binary-arrays.js';
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
  const text = preparedStatement(
    `with "v" as (select * from unnest(${given.map(([, type], n) => `$${n + 1}::${type}[]`).join(', ')}) as v(${given.map(([alias]) => `"${alias}"`).join(', ')})), `
    + `"changed" as (update "instances" as i set ${parts.set} from "v" where ${parts.where} returning i."id"${parts.announced}), `
    + `"appended" as (insert into "events" ("id", "at", "kind", "team_id", "instance_id", "actor", "data") `
    + 'select v."paved_event_id", v."paved_event_at", v."paved_event_kind", v."paved_event_team", v."paved_event_instance", v."paved_event_actor", v."paved_event_data" '
    + 'from "v" join "changed" as c on c."id" = v."id"), '
    + `"outcome" as (update "instance_requests" as r set "${column}" = v."paved_event_at_ms" from "v" join "changed" as c on c."id" = v."id" `
    + `where r."instance_id" = v."id" and r."${column}" is null) `
    + 'select "id" from "changed"',
  );
  return countedById(text, given);
}
