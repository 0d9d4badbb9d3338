import { randomUUID } from 'node:crypto';
import type { Kysely, QueryCreator } from '#kysely';
import type { EventKind } from '@paved/model';
import type { Database } from '../schema.js';
import type { NewEvent } from '../types.js';
import { compiledRead, compiledRows } from '../compiled.js';

/**
 * Keeps the measures tables (migration 0013) in step with the events they summarise: called
 * with every event as it is appended, with the same executor, so on every instance write the
 * event and its measures commit together or not at all. docs/metrics/README.md defines what is
 * recorded; this file is where it happens.
 */

/** Each outcome column holds the first time it happened: later events of the same kind change nothing. */
const FIRST_OUTCOME: Partial<Record<EventKind, 'ready_at' | 'failed_at' | 'delete_requested_at' | 'deleted_at'>> = {
  'instance.ready': 'ready_at',
  'instance.failed': 'failed_at',
  'instance.delete-requested': 'delete_requested_at',
  'instance.deleted': 'deleted_at',
};

/** Writes to an instance that, made by a user outside its team, are interventions (and of which kind). */
const ACTS: Partial<Record<EventKind, 'retry' | 'act-for-team'>> = {
  'instance.reconcile-requested': 'retry',
  'instance.requested': 'act-for-team',
  'instance.updated': 'act-for-team',
  'instance.delete-requested': 'act-for-team',
  'credentials.rotation-requested': 'act-for-team',
};

/**
 * Repeats of one kind of act by one person on one request within this time are one
 * intervention: `paved reconcile` on a composite retries each part too, and a person who
 * retries three times in a row has stepped in once.
 */
export const REPEAT_WINDOW_MS = 60_000;

export async function projectEvent(db: Kysely<Database>, at: string, event: NewEvent): Promise<void> {
  const instanceId = event.instanceId;
  if (instanceId === undefined) return;
  const atMs = Date.parse(at);
  if (event.kind === 'instance.requested') await recordRequest(db, instanceId, atMs);
  const column = FIRST_OUTCOME[event.kind];
  if (column !== undefined) await firstOutcome[column](db, atMs, instanceId);
  const act = ACTS[event.kind];
  if (act !== undefined && event.actor !== undefined && event.teamId !== undefined) {
    await recordIfOutsider(db, { instanceId, teamId: event.teamId, actor: event.actor, kind: act, at: atMs, isRequest: event.kind === 'instance.requested' });
  }
}

/**
 * The outcome column an event's whole projection is, when it is only that (no request row, no
 * act to weigh): the engine's Ready, Failed, Deleted. Its event and measures update can then be
 * one statement (events.ts, writeEvent).
 */
export function outcomeOnly(event: NewEvent): OutcomeColumn | undefined {
  if (event.instanceId === undefined || event.kind === 'instance.requested' || ACTS[event.kind] !== undefined) return undefined;
  return FIRST_OUTCOME[event.kind];
}

/** Each outcome's first time, compiled once (compiled.ts): every request and every first Ready writes one. */
const outcomeUpdate = (column: OutcomeColumn) => compiledRead((db, atMs: number, instanceId: string) => db
  .updateTable('instance_requests').set({ [column]: atMs }).where('instance_id', '=', instanceId).where(column, 'is', null));
export type OutcomeColumn = NonNullable<(typeof FIRST_OUTCOME)[EventKind]>;
export const OUTCOME_COLUMNS = ['ready_at', 'failed_at', 'delete_requested_at', 'deleted_at'] as const satisfies readonly OutcomeColumn[];
const firstOutcome = Object.fromEntries(OUTCOME_COLUMNS.map((c) => [c, outcomeUpdate(c)])) as Record<OutcomeColumn, ReturnType<typeof outcomeUpdate>>;

/**
 * A person's request (`instance.requested` by an actor, of a team): its projection is the request
 * row and whether the actor stepped in from outside the team. On PostgreSQL its event, the request
 * row and the actor's user and membership are then one statement (events.ts, writeEvent), the
 * rest of an outsider's act (recordOutsiderAct) only for an outsider.
 */
export function personsRequest(event: NewEvent): event is NewEvent & { instanceId: string; teamId: string; actor: string } {
  return event.kind === 'instance.requested' && event.instanceId !== undefined && event.teamId !== undefined && event.actor !== undefined;
}

/** The request row, copied from the instance row the same transaction just inserted. */
export const requestCopy = (db: QueryCreator<Database>, atMs: number, instanceId: string) => db
  .insertInto('instance_requests')
  .columns(['instance_id', 'team_id', 'product', 'product_version', 'service_id', 'parent_id', 'requested_at'])
  .expression((eb) => eb.selectFrom('instances').select((s) => [
    'id', 'team_id', 'product', 'product_version', 'service_id', 'parent_id', s.cast<number>(s.val(atMs), 'bigint').as('requested_at'),
  ]).where('id', '=', instanceId))
  .onConflict((oc) => oc.column('instance_id').doNothing());
/** requestCopy, one statement compiled once. */
const copyRequest = compiledRead((db, atMs: number, instanceId: string) => requestCopy(db, atMs, instanceId));

async function recordRequest(db: Kysely<Database>, instanceId: string, atMs: number): Promise<void> {
  await copyRequest(db, atMs, instanceId);
}

/** A request row as copyRequest makes it, given directly (a batch knows the values it inserted). */
export interface RequestedRow {
  instanceId: string;
  teamId: string;
  product: string;
  productVersion: string;
  serviceId: string | null;
  parentId: string | null;
  actor: string;
}

/**
 * projectEvent for many `instance.requested` events of one transaction (createInstances): the
 * request rows in multi-row inserts, and whether each actor is an outsider to the team asked
 * once per actor and team; an outsider's requests then go through recordIfOutsider one by one.
 */
export async function projectRequests(db: Kysely<Database>, at: string, rows: readonly RequestedRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += REQUEST_ROWS_PER_INSERT) await insertRequestRows(db, requestRowsOf(at, rows.slice(i, i + REQUEST_ROWS_PER_INSERT)));
  await recordOutsiders(db, at, rows);
}

/** The `instance_requests` columns a request fills, and its rows (inserted with ON CONFLICT (instance_id) DO NOTHING). */
export const REQUEST_COLUMNS = ['instance_id', 'team_id', 'product', 'product_version', 'service_id', 'parent_id', 'requested_at'] as const;
export function requestRowsOf(at: string, rows: readonly RequestedRow[]): Array<Record<(typeof REQUEST_COLUMNS)[number], unknown>> {
  const atMs = Date.parse(at);
  return rows.map((row) => ({
    instance_id: row.instanceId, team_id: row.teamId, product: row.product, product_version: row.productVersion,
    service_id: row.serviceId, parent_id: row.parentId, requested_at: atMs,
  }));
}

/** projectRequests' other half: the requests of an actor who is not a member of the team (asked once per actor and team). */
export async function recordOutsiders(db: Kysely<Database>, at: string, rows: readonly RequestedRow[]): Promise<void> {
  const atMs = Date.parse(at);
  const outsider = new Map<string, boolean>();
  for (const row of rows) {
    const key = `${row.actor}\u0000${row.teamId}`;
    let isOutsider = outsider.get(key);
    if (isOutsider === undefined) {
      const [user] = await userAndMembership(db, row.actor, row.teamId);
      isOutsider = user !== undefined && user.member === null;
      outsider.set(key, isOutsider);
    }
    if (isOutsider) await recordIfOutsider(db, { instanceId: row.instanceId, teamId: row.teamId, actor: row.actor, kind: 'act-for-team', at: atMs, isRequest: true });
  }
}

const insertRequestRows = compiledRows('instance_requests', REQUEST_COLUMNS, (insert) => insert
  .onConflict((oc) => oc.column('instance_id').doNothing()));

/** 7 columns a row: well under SQLite's 32,766 bound parameters and PostgreSQL's 65,535. */
const REQUEST_ROWS_PER_INSERT = 1000;

/**
 * The user of that name (none: not a person) and whether they are a member of the team, one
 * statement. Asked for every request a person makes (most are members: nothing more is read),
 * so compiled once (compiled.ts); it runs in the create's transaction, under the team's lock,
 * where the user and the membership read apart were two round trips on PostgreSQL.
 */
export const userAndMembershipOf = (db: QueryCreator<Database>, name: string, teamId: string) => db.selectFrom('users')
  .leftJoin('memberships', (join) => join.onRef('memberships.user_id', '=', 'users.id').on('memberships.team_id', '=', teamId))
  .select(['users.id', 'memberships.user_id as member'])
  .where('users.name', '=', name);
const userAndMembership = compiledRead((db, name: string, teamId: string) => userAndMembershipOf(db, name, teamId));

/** A user as userAndMembershipOf reads them: `member` null when not a member of the team. */
export interface UserAndMembership {
  id: string;
  member: string | null;
}

/** What recordIfOutsider weighs: an act on an instance by a person. */
export interface Act {
  instanceId: string;
  teamId: string;
  actor: string;
  kind: string;
  at: number;
  isRequest: boolean;
}

/** An existing user who is not a member of the instance's team acted on it: a platform-team member or an admin stepping in. */
async function recordIfOutsider(db: Kysely<Database>, act: Act): Promise<void> {
  const [user] = await userAndMembership(db, act.actor, act.teamId);
  await recordOutsiderAct(db, act, user);
}

/** recordIfOutsider once the actor's user and membership are read (`user` undefined: no such person). */
export async function recordOutsiderAct(db: Kysely<Database>, act: Act, user: UserAndMembership | undefined): Promise<void> {
  if (!user) return; // not a person (Paved itself)
  if (user.member !== null) return;
  const request = await requestOf(db, act.instanceId);
  // A part is created by the engine for its composite, not by the person who asked for the composite.
  if (request === undefined || (act.isRequest && request.id !== act.instanceId)) return;
  const repeated = await db
    .selectFrom('interventions')
    .select('id')
    .where('instance_id', '=', request.id)
    .where('kind', '=', act.kind)
    .where('actor', '=', act.actor)
    .where('at', '>', act.at - REPEAT_WINDOW_MS)
    .executeTakeFirst();
  if (repeated) return;
  await insertIntervention(db, { at: act.at, request, kind: act.kind, actor: act.actor, note: '' });
}

export interface RequestRef {
  id: string;
  teamId: string;
  product: string;
  name: string;
}

/** The request an instance belongs to: itself, or for a part its composite. */
export async function requestOf(db: Kysely<Database>, instanceId: string): Promise<RequestRef | undefined> {
  const own = await db.selectFrom('instance_requests').select(['instance_id', 'parent_id']).where('instance_id', '=', instanceId).executeTakeFirst();
  const id = own?.parent_id ?? instanceId;
  const row = await db
    .selectFrom('instance_requests')
    .leftJoin('instances', 'instances.id', 'instance_requests.instance_id')
    .select(['instance_requests.instance_id as id', 'instance_requests.team_id', 'instance_requests.product', 'instances.name'])
    .where('instance_requests.instance_id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return { id: row.id, teamId: row.team_id, product: row.product, name: row.name ?? (await forgottenName(db, id)) };
}

/** The name a forgotten instance had, from its deletion event. */
async function forgottenName(db: Kysely<Database>, instanceId: string): Promise<string> {
  const event = await db.selectFrom('events').select('data').where('instance_id', '=', instanceId).where('kind', '=', 'instance.requested').executeTakeFirst();
  const name = event === undefined ? undefined : (JSON.parse(event.data) as { name?: unknown }).name;
  return typeof name === 'string' ? name : instanceId;
}

export async function insertIntervention(
  db: Kysely<Database>,
  input: { at: number; request: RequestRef; kind: string; actor?: string; note: string },
): Promise<{ id: string; seq: number }> {
  const id = randomUUID();
  const row = await db
    .insertInto('interventions')
    .values({
      id,
      at: input.at,
      team_id: input.request.teamId,
      product: input.request.product,
      instance_id: input.request.id,
      instance_name: input.request.name,
      kind: input.kind,
      actor: input.actor ?? null,
      note: input.note,
    })
    .returning('seq')
    .executeTakeFirstOrThrow();
  return { id, seq: Number(row.seq) };
}
