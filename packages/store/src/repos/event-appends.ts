import { CompiledQuery } from '#kysely';
import type { CombinedStatement } from '../combined-write.js';
import { preparedStatement } from '../compiled.js';
import { binaryArray } from '../dialect/postgres-binary-arrays.js';
import type { OutcomeColumn } from './measures-projection.js';

/** One event and its outcome's first time, as events.ts's writeEventAndOutcome takes them. */
export type EventAndOutcome = readonly [id: string, at: string, kind: string, teamId: string | null, instanceId: string | null, actor: string | null, data: string, atMs: number];

const EVENT_COLUMNS = '"id", "at", "kind", "team_id", "instance_id", "actor", "data"';

/**
 * The engine's outcome events of one turn (a Ready, a Failed: each pass's last write appends
 * one) in one statement (combined-write.ts, PostgreSQL): the events' rows in one insert and
 * their requests' outcome column in one update, as writeEventAndOutcome does for one. The
 * rows go as one array a column, so the text is the same for any number and prepared once a
 * connection. Nothing is returned, as for one. Two events of one instance fail the statement
 * (which would set the outcome's first time once, from either) and run again one at a time.
 */
function eventsAndOutcome(column: OutcomeColumn): CombinedStatement<EventAndOutcome, unknown[]> {
  const text = preparedStatement(
    'with "e" as (select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[]) '
    + `as e(${EVENT_COLUMNS}, "at_ms")), `
    + `"appended" as (insert into "events" (${EVENT_COLUMNS}) select ${EVENT_COLUMNS} from "e") `
    + `update "instance_requests" as r set "${column}" = e."at_ms" from "e" where r."instance_id" = e."instance_id" and r."${column}" is null`,
  );
  return {
    async run(trx, rows) {
      if (new Set(rows.map((row) => row[4])).size !== rows.length) throw new Error('two outcome events of one instance in one combined statement: run again one at a time');
      // Binary arrays: nothing escaped by the client, nothing parsed by the server (postgres-binary-arrays.ts).
      await trx.executeQuery(CompiledQuery.raw(text, Array.from({ length: 8 }, (_, n) => binaryArray(n === 7 ? 'bigint' : 'text', rows.map((row) => row[n])))));
      return rows.map(() => []);
    },
  };
}

const byColumn = new Map<OutcomeColumn, CombinedStatement<EventAndOutcome, unknown[]>>();

export function combinedEventsAndOutcome(column: OutcomeColumn): CombinedStatement<EventAndOutcome, unknown[]> {
  let statement = byColumn.get(column);
  if (statement === undefined) {
    statement = eventsAndOutcome(column);
    byColumn.set(column, statement);
  }
  return statement;
}
