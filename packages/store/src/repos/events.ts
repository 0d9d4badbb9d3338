import { PostgresAdapter, sql, type Kysely, type QueryCreator } from '#kysely';
import { newId, type EventKind, type Page, type PavedEvent } from '@paved/model';
import type { StoreContext } from '../context.js';
import type { Database, EventsTable } from '../schema.js';
import type { NewEvent } from '../types.js';
import { decodeCursor, encodeCursor, pageLimit } from '../cursor.js';
import { toEvent } from '../rows.js';
import { OUTCOME_COLUMNS, outcomeOnly, personsRequest, projectEvent, recordOutsiderAct, requestCopy, userAndMembershipOf, type OutcomeColumn } from './measures-projection.js';
import { compiledRead, compiledRows } from '../compiled.js';
import { combinedOrAlone } from '../combined-write.js';
import { columnsOf } from '../table-columns.js';
import { combinedEventsAndOutcome, type EventAndOutcome } from './event-appends.js';

/**
 * Appends an event with the given executor, so callers can make it part of their transaction,
 * and keeps the measures it feeds in step (migration 0013, in the same transaction).
 */
export async function insertEvent(db: Kysely<Database>, at: string, event: NewEvent): Promise<PavedEvent> {
  const [row] = await insertEventRow(db, newId(), at, event.kind, event.teamId ?? null, event.instanceId ?? null, event.actor ?? null, JSON.stringify(event.data ?? {}));
  await projectEvent(db, at, event);
  return toEvent(row!);
}

/**
 * insertEvent for a caller that does not need the event back (the engine's status writes): no
 * row is returned and read. On PostgreSQL an event whose measures are one outcome's first time
 * (a Ready, a Failed) is written with it in one statement, a data-modifying WITH: a round trip
 * less a pass.
 */
export async function writeEvent(db: Kysely<Database>, at: string, event: NewEvent): Promise<void> {
  const values = eventValues(at, event);
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const outcome = postgres ? outcomeOnly(event) : undefined;
  if (outcome !== undefined) {
    const row = [...values, Date.parse(at)] as const;
    // With the turn's other outcome events, one statement on PostgreSQL's pipelined writes (event-appends.ts).
    await combinedOrAlone(db, combinedEventsAndOutcome(outcome), row, () => writeEventAndOutcome[outcome](db, ...row));
    return;
  }
  if (postgres && personsRequest(event)) {
    const atMs = Date.parse(at);
    const [user] = await writeEventAndRequest(db, values[0], at, event.kind, event.teamId, event.instanceId, event.actor, values[6], atMs);
    await recordOutsiderAct(db, { instanceId: event.instanceId, teamId: event.teamId, actor: event.actor, kind: 'act-for-team', at: atMs, isRequest: true }, user);
    return;
  }
  await writeEventRow(db, ...values);
  await projectEvent(db, at, event);
}

/** A new event's row: a new id, then the events table's columns in order (EVENT_COLUMNS). */
export function eventValues(at: string, event: NewEvent) {
  return [newId(), at, event.kind, event.teamId ?? null, event.instanceId ?? null, event.actor ?? null, JSON.stringify(event.data ?? {})] as const;
}

/** A new outcome event's row and its time in ms, as the statements that also set its request's outcome take them (event-appends.ts). */
export function eventAndOutcomeValues(at: string, event: NewEvent): EventAndOutcome {
  return [...eventValues(at, event), Date.parse(at)];
}

/** Events' rows only, in order, in multi-row inserts; the caller projects them (measures-projection.ts). */
export async function insertEventRows(db: Kysely<Database>, at: string, events: readonly NewEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) await insertEventsRows(db, eventRowsOf(at, events.slice(i, i + 500)));
}

/** The columns of a new event's row, and the rows of `events` (each a new id). */
export const EVENT_COLUMNS = ['id', 'at', 'kind', 'team_id', 'instance_id', 'actor', 'data'] as const;
export function eventRowsOf(at: string, events: readonly NewEvent[]): Array<Record<(typeof EVENT_COLUMNS)[number], unknown>> {
  return events.map((event) => ({
    id: newId(), at, kind: event.kind, team_id: event.teamId ?? null, instance_id: event.instanceId ?? null, actor: event.actor ?? null, data: JSON.stringify(event.data ?? {}),
  }));
}

const insertEventsRows = compiledRows('events', EVENT_COLUMNS);
/** Every column of an event's row, listed, not `*`: an appended event's read-back is prepared on PostgreSQL (table-columns.ts). */
const EVENT_ROW_COLUMNS = columnsOf<EventsTable>()([...EVENT_COLUMNS, 'seq']);

/** Every instance write appends one or two: compiled once (compiled.ts). */
const eventRow = (db: Kysely<Database>, id: string, at: string, kind: EventKind, teamId: string | null, instanceId: string | null, actor: string | null, data: string) => db
  .insertInto('events')
  .values({ id, at, kind, team_id: teamId, instance_id: instanceId, actor, data });
const insertEventRow = compiledRead((db, id: string, at: string, kind: EventKind, teamId: string | null, instanceId: string | null, actor: string | null, data: string) =>
  eventRow(db, id, at, kind, teamId, instanceId, actor, data).returning(EVENT_ROW_COLUMNS));
const writeEventRow = compiledRead(eventRow);
/**
 * An event's row only while the auth epoch (migration 0022) is still `epoch`, read by the insert
 * itself: a revocation committed before the statement moved the epoch, and then nothing is
 * written. Compiled once.
 */
const insertEventRowWhileEpoch = compiledRead((db, id: string, at: string, kind: EventKind, teamId: string | null, instanceId: string | null, actor: string | null, data: string, epoch: number) => db
  .insertInto('events')
  .columns(EVENT_COLUMNS)
  .expression(db
    .selectNoFrom([
      sql<string>`cast(${id} as text)`.as('id'), sql<string>`cast(${at} as text)`.as('at'), sql<string>`cast(${kind} as text)`.as('kind'), sql<string | null>`cast(${teamId} as text)`.as('team_id'),
      sql<string | null>`cast(${instanceId} as text)`.as('instance_id'), sql<string | null>`cast(${actor} as text)`.as('actor'), sql<string>`cast(${data} as text)`.as('data'),
    ])
    .where((eb) => eb(eb.selectFrom('auth_epoch').select('epoch').where('id', '=', 1), '=', epoch)))
  .returning(EVENT_ROW_COLUMNS));
/** An event and its outcome's first time (projectEvent's update), one statement (PostgreSQL), compiled once a column. */
const eventAndOutcome = (column: OutcomeColumn) => compiledRead((db, id: string, at: string, kind: EventKind, teamId: string | null, instanceId: string | null, actor: string | null, data: string, atMs: number) => db
  .with('appended', (qc) => qc.insertInto('events').values({ id, at, kind, team_id: teamId, instance_id: instanceId, actor, data }))
  .updateTable('instance_requests').set({ [column]: atMs }).where('instance_id', '=', instanceId!).where(column, 'is', null));
const writeEventAndOutcome = Object.fromEntries(OUTCOME_COLUMNS.map((c) => [c, eventAndOutcome(c)])) as Record<OutcomeColumn, ReturnType<typeof eventAndOutcome>>;
/**
 * A person's request (measures-projection.ts, personsRequest): its event, its request row and the
 * actor's user and membership (the statement's rows), one statement on PostgreSQL, compiled once.
 * The request row reads the instance row an earlier statement of the same transaction inserted,
 * which a WITH's sub-statements see (they do not see each other's rows, and need not).
 */
const writeEventAndRequest = compiledRead((db, id: string, at: string, kind: EventKind, teamId: string, instanceId: string, actor: string, data: string, atMs: number) => {
  // The WITHs add tables of their own to the query's type; the statements take the schema's.
  const withEvent = db.with('appended', (qc) => qc.insertInto('events').values({ id, at, kind, team_id: teamId, instance_id: instanceId, actor, data }));
  const withRequest = withEvent.with('requested', (qc) => requestCopy(qc as unknown as QueryCreator<Database>, atMs, instanceId));
  return userAndMembershipOf(withRequest as unknown as QueryCreator<Database>, actor, teamId);
});

export interface EventFilter {
  teamId?: string;
  instanceId?: string;
  kinds?: EventKind[];
  cursor?: string;
  limit?: number;
}

export function eventsRepo(ctx: StoreContext) {
  return {
    appendEvent: (event: NewEvent) => insertEvent(ctx.db, ctx.iso(), event),

    /** Store.appendEventWhileAuthEpoch: the check and the append one statement, one round trip on PostgreSQL. */
    async appendEventWhileAuthEpoch(event: NewEvent, epoch: number): Promise<PavedEvent | undefined> {
      const at = ctx.iso();
      const [row] = await insertEventRowWhileEpoch(ctx.db, newId(), at, event.kind, event.teamId ?? null, event.instanceId ?? null, event.actor ?? null, JSON.stringify(event.data ?? {}), epoch);
      if (row === undefined) return undefined;
      await projectEvent(ctx.db, at, event);
      return toEvent(row);
    },

    /** Many events in one transaction, in order (an import's thousands of user.created). */
    async appendEvents(events: readonly NewEvent[]): Promise<void> {
      if (events.length === 0) return;
      const at = ctx.iso();
      await ctx.adapter.transaction(async (trx) => {
        await insertEventRows(trx, at, events);
        for (const event of events) await projectEvent(trx, at, event);
      });
    },

    /** Oldest first (insertion order), so metrics and audits read history forwards. */
    async listEvents(filter: EventFilter): Promise<Page<PavedEvent>> {
      const limit = pageLimit(filter.limit);
      if (filter.kinds && filter.kinds.length === 0) return { items: [] };
      let query = ctx.db.selectFrom('events').selectAll();
      if (filter.teamId !== undefined) query = query.where('team_id', '=', filter.teamId);
      if (filter.instanceId !== undefined) query = query.where('instance_id', '=', filter.instanceId);
      if (filter.kinds) query = query.where('kind', 'in', filter.kinds);
      if (filter.cursor !== undefined) {
        const [seq] = decodeCursor(filter.cursor, ['number']);
        query = query.where('seq', '>', seq as number);
      }
      const rows = await query.orderBy('seq').limit(limit + 1).execute();
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return rows.length > limit && last ? { items: items.map(toEvent), nextCursor: encodeCursor([Number(last.seq)]) } : { items: items.map(toEvent) };
    },
  };
}
