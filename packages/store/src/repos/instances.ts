import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from '#kysely';
import { ConflictError, NotFoundError, QuotaError, newId, type Instance, type InstanceStatus, type Page } from '@paved/model';
import type { StoreContext } from '../context.js';
import type { DialectAdapter } from '../dialect/adapter.js';
import { CHANGE_CHANNEL } from '../dialect/change-channel.js';
import type { Database, InstancesTable } from '../schema.js';
import type { ClaimedInstance, CreateIntent, InstanceWithSecret, InstanceFilter, NewEvent, NewInstance, QuotaClaim, RequestProvenance } from '../types.js';
import type { CreateLease } from '../create-claims.js';
import { insertApproval } from './approvals.js';
import { KEYRING_ROW, toSecretRow, upsertUnderActiveKeyOf } from './secrets.js';
import { canonicalJson, statusHash } from '../canonical.js';
import { decodeCursor, encodeCursor, pageLimit } from '../cursor.js';
import { INSTANCE_COLUMNS, INSTANCE_INSERT_COLUMNS, selectInstanceView, selectInstanceViews, selectInstances, toEngineState, toInstance, type InstanceViewRow } from '../rows.js';
import type { ClaimedRow } from './claim-statement.js';
import { heldRowOf, type LeasedRow } from './held-rows.js';
import { compiledRead, compiledRows, rowsAgainstBase, rowsFromJson } from '../compiled.js';
import { EVENT_COLUMNS, eventRowsOf, insertEvent, insertEventRows, writeEvent } from './events.js';
import { REQUEST_COLUMNS, projectRequests, recordOutsiders, requestRowsOf, type RequestedRow } from './measures-projection.js';

// The read the API serves most, compiled once (compiled.ts): one instance by name. A team's
// pages are compiled too, in the repository (teamPageRows), as the phase filter needs the dialect.
const instanceByName = compiledRead((db, teamId: string, name: string) => selectInstanceViews(db).where('instances.team_id', '=', teamId).where('instances.name', '=', name));
const claimedRow = compiledRead((db, id: string) => selectInstances(db)
  .select((eb) => eb.exists(eb.selectFrom('secrets').select('secrets.owner_id').whereRef('secrets.owner_id', '=', 'instances.id')).as('secrets_stored'))
  .where('instances.id', '=', id));

/** Which filters a team's page read has: each shape is its own compiled statement. */
interface TeamPageShape {
  product: boolean;
  phase: boolean;
  after: boolean;
}

/**
 * One team's page reads, compiled once per shape at its first use: the `(team_id, seq)` and
 * `(team_id, product, seq, plan)` indexes read in order and stopped at the page's end. The phase is in
 * the status JSON (no column of its own): rows of the team are filtered by it as they are read.
 */
function teamPageReads(adapter: DialectAdapter) {
  const reads = new Map<string, ReturnType<typeof teamPageRead>>();
  function teamPageRead(shape: TeamPageShape) {
    // The values come in order: team, [product], [phase], [seq], limit.
    return compiledRead((db, ...values: unknown[]) => {
      let i = 0;
      let query = selectInstanceViews(db).where('instances.team_id', '=', values[i++] as string);
      if (shape.product) query = query.where('instances.product', '=', values[i++] as string);
      if (shape.phase) query = query.where(adapter.jsonField('instances.status', 'phase'), '=', values[i++] as string);
      if (shape.after) query = query.where('instances.seq', '>', values[i++] as number);
      return query.orderBy('instances.seq').limit(values[i] as number);
    });
  }
  /** One team's page through the compiled reads (the filter's teamIds and topLevel are not looked at). */
  return (db: Kysely<Database>, teamId: string, filter: InstanceFilter, seq: number | undefined, limit: number) => {
    const shape = { product: filter.product !== undefined, phase: filter.phase !== undefined, after: seq !== undefined };
    const key = `${shape.product}/${shape.phase}/${shape.after}`;
    let read = reads.get(key);
    if (read === undefined) reads.set(key, (read = teamPageRead(shape)));
    const values = [teamId, filter.product, filter.phase, seq, limit].filter((value) => value !== undefined);
    return read(db, ...values);
  };
}

const instanceById = compiledRead((db, id: string) => selectInstanceView(db).where('instances.id', '=', id));
/**
 * The instance by id with one of its secrets, in one statement: one round trip, and one snapshot,
 * so the secret is the one committed with (or before) the state read — the credentials that a Ready
 * status shows were stored before it (the engine's order). A watch that will reveal re-reads so
 * (followInstance), and the reveal then reads nothing more but the caller's verification.
 */
const instanceWithSecret = compiledRead((db, secretName: string, id: string) => selectInstanceView(db)
  .leftJoin('secrets', (join) => join.onRef('secrets.owner_id', '=', 'instances.id').on('secrets.name', '=', secretName))
  .select(['secrets.envelope as secret_envelope', 'secrets.updated_at as secret_updated_at', 'secrets.key_id as secret_key_id'])
  .where('instances.id', '=', id));
const nameInTeam = compiledRead((db, teamId: string, name: string) => db.selectFrom('instances').select('id').where('team_id', '=', teamId).where('name', '=', name));

/**
 * How many requests of a createInstances batch go in one statement on PostgreSQL (pipelined):
 * a batch of 500 is four, each one's JSON built while the one before runs. Against one
 * statement of 500, with the same CPU on both sides: 20,000 requests in 0.77x the time with
 * 250 a statement, and 125 faster again on a loaded machine (bench/README.md §3, round 6).
 */
const PIPELINED_REQUESTS = 125;

/**
 * Sends `count` items' statements `size` at a time on a transaction's connection, building each
 * one's values (`send`, up to its first await) while the one before runs on the server: the
 * client's work and the backend's overlap instead of taking turns, on two cores. At most two are
 * out at once (one running, one queued behind it: Kysely's transaction runs its statements in
 * order). Every statement sent has settled before this returns or throws, so a ROLLBACK never
 * overtakes one still queued.
 */
async function pipelined(count: number, size: number, send: (from: number, to: number) => Promise<unknown>): Promise<void> {
  let running: Promise<unknown> | undefined;
  for (let from = 0; from < count; from += size) {
    const next = send(from, Math.min(count, from + size));
    next.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
    const previous = running;
    running = next;
    try {
      await previous;
    } catch (error) {
      await next.catch(() => {});
      throw error;
    }
    // `next` out to the socket before the values after it are built: Kysely and pg hand it over
    // a few promise turns later, and pg's writes go out on the next tick.
    if (from + size < count) await new Promise((sent) => setImmediate(sent));
  }
  await running;
}

/** A new instance's row, every column named, so its insert is compiled once (compiled.ts). */
type NewInstanceRow = Required<Insertable<InstancesTable>>;
const insertInstanceColumns = compiledRead((db, ...values: unknown[]) =>
  db.insertInto('instances').values(Object.fromEntries(INSTANCE_INSERT_COLUMNS.map((column, i) => [column, values[i]])) as unknown as NewInstanceRow));
function insertInstanceRow(trx: Kysely<Database>, row: Omit<NewInstanceRow, 'seq'>) {
  return insertInstanceColumns(trx, ...INSTANCE_INSERT_COLUMNS.map((column) => row[column]));
}
/**
 * The insert that also announces the new instance (DialectAdapter.announcing: PostgreSQL's
 * pg_notify in its RETURNING, delivered at commit as a NOTIFY statement would be): the create's
 * transaction sends one statement fewer, a round trip a create. Compiled once per announcing
 * adapter, the payload a bound value like the row's.
 */
const insertAnnouncedInstanceColumns = new WeakMap<NonNullable<DialectAdapter['announcing']>, ReturnType<typeof compiledRead<unknown[], unknown>>>();
function insertAnnouncedInstanceRow(trx: Kysely<Database>, row: Omit<NewInstanceRow, 'seq'>, announcing: NonNullable<DialectAdapter['announcing']>, payload: string) {
  let insert = insertAnnouncedInstanceColumns.get(announcing);
  if (insert === undefined) {
    insert = compiledRead((db, payloadValue: unknown, ...values: unknown[]) => db.insertInto('instances')
      .values(Object.fromEntries(INSTANCE_INSERT_COLUMNS.map((column, i) => [column, values[i]])) as unknown as NewInstanceRow)
      .returning(announcing.expression(payloadValue as string).as('announced')));
    insertAnnouncedInstanceColumns.set(announcing, insert);
  }
  return insert(trx, payload, ...INSTANCE_INSERT_COLUMNS.map((column) => row[column]));
}
/**
 * insertAnnouncedInstanceRow for a create a worker of this process takes (Store.claimOnCreate):
 * the row comes back as claimedRow reads it (every column, the team's, service's and parent's
 * names, whether a secret is stored), from the insert's own RETURNING. The claim's read had been
 * a statement of its own after the event's, a round trip on the path from the create to its
 * pass (bench/README.md §1, round 9). Nothing else in the transaction changes the row after its
 * insert (the event and the request row only read it), and no other transaction can see it
 * before the commit, so the insert's answer is what the read would have found.
 */
const insertClaimedInstanceColumns = new WeakMap<NonNullable<DialectAdapter['announcing']>, ReturnType<typeof compiledRead<unknown[], ClaimedRow>>>();
function insertClaimedInstanceRow(trx: Kysely<Database>, row: Omit<NewInstanceRow, 'seq'>, announcing: NonNullable<DialectAdapter['announcing']>, payload: string) {
  let insert = insertClaimedInstanceColumns.get(announcing);
  if (insert === undefined) {
    insert = compiledRead((db, payloadValue: unknown, ...values: unknown[]) => db.insertInto('instances')
      .values(Object.fromEntries(INSTANCE_INSERT_COLUMNS.map((column, i) => [column, values[i]])) as unknown as NewInstanceRow)
      .returning(INSTANCE_COLUMNS)
      .returning((eb) => [
        announcing.expression(payloadValue as string).as('announced'),
        eb.selectFrom('teams').select('teams.name').whereRef('teams.id', '=', 'instances.team_id').as('team_name'),
        eb.selectFrom('services').select('services.name').whereRef('services.id', '=', 'instances.service_id').as('service_name'),
        eb.selectFrom('instances as parents').select('parents.name').whereRef('parents.id', '=', 'instances.parent_id').as('parent_name'),
        eb.exists(eb.selectFrom('secrets').select('secrets.owner_id').whereRef('secrets.owner_id', '=', 'instances.id')).as('secrets_stored'),
      ])) as unknown as ReturnType<typeof compiledRead<unknown[], ClaimedRow>>;
    insertClaimedInstanceColumns.set(announcing, insert);
  }
  return insert(trx, payload, ...INSTANCE_INSERT_COLUMNS.map((column) => row[column]));
}

/** createInstances' multi-row inserts (compiled.ts), with the insertion order (SQLite, nextInsertionOrder) or without (PostgreSQL's sequence). */
const insertInstanceRows = compiledRows('instances', INSTANCE_INSERT_COLUMNS);
const insertNumberedInstanceRows = compiledRows('instances', [...INSTANCE_INSERT_COLUMNS, 'seq']);

/**
 * PostgreSQL: createInstances' writes in one statement, its inserts as data-modifying WITHs
 * (each runs once, to completion, whether or not the select reads it): the instance rows, their
 * `instance.requested` events, their request rows (ON CONFLICT as projectRequests), and the
 * announcements: one round trip for what took four, each costing both processes a socket
 * write and a wake-up, more than the statement's own parse and plan (it is prepared once a
 * connection, compiled.ts). The rows go as compiledRows sends them (rowsAgainstBase).
 */
const writeRequestedBatch = compiledRead((db, instanceBase: string, instanceRows: string, eventBase: string, eventRows: string, requestBase: string, requestRows: string, channel: string, announcements: string[]) => db
  .with('written_instances', (qc) => qc.insertInto('instances').columns(INSTANCE_INSERT_COLUMNS).expression(rowsFromJson(qc as never, 'instances', INSTANCE_INSERT_COLUMNS, instanceBase, instanceRows) as never))
  .with('written_events', (qc) => qc.insertInto('events').columns(EVENT_COLUMNS).expression(rowsFromJson(qc as never, 'events', EVENT_COLUMNS, eventBase, eventRows) as never))
  .with('written_requests', (qc) => qc.insertInto('instance_requests').columns(REQUEST_COLUMNS).expression(rowsFromJson(qc as never, 'instance_requests', REQUEST_COLUMNS, requestBase, requestRows) as never)
    .onConflict((oc) => oc.column('instance_id').doNothing()))
  .selectFrom(sql<{ announcement: string }>`unnest(${announcements}::text[])`.as('a'))
  .select(sql<void>`pg_notify(${channel}, a)`.as('announced')));

const notFound = (id: string) =>
  new NotFoundError(`No instance with id ${id}.`, { code: 'instance_not_found', issues: [{ path: 'id', message: 'does not exist' }] });

/** The team of a page the API reads (one team, not top-level only), kept while nothing changed; undefined for other listings. */
function keptPageTeam(filter: InstanceFilter): string | undefined {
  return filter.teamIds?.length === 1 && filter.topLevel !== true ? filter.teamIds[0] : undefined;
}

/** The key a team's page is kept under (unchanged-reads.ts). */
function teamPageKey(teamId: string, filter: InstanceFilter, seq: number | undefined, limit: number): string {
  return ['page', teamId, filter.product ?? '', filter.phase ?? '', seq ?? '', limit].join('\u0000');
}

/**
 * The requester's side of instances: create, read, change the desired spec, ask for deletion.
 * Every write that changes desired state makes the instance due now, appends its event in the
 * same transaction, and tells change listeners after commit.
 */
export function instancesRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;
  const teamPageRows = teamPageReads(adapter);

  const getInstance = async (id: string, executor: Kysely<Database> = db): Promise<Instance | undefined> => {
    const [row] = await instanceById(executor, id);
    return row && toInstance(row);
  };

  // createInstance's statements, compiled once (compiled.ts): an import or a burst of requests runs them thousands of times.
  const lockedTeam = compiledRead((trx, teamId: string) => adapter.forUpdate(trx.selectFrom('teams').select(['id', 'name']).where('id', '=', teamId)));

  /**
   * Which of `names` the team already has. On PostgreSQL one probe of the `(team_id, name)` index
   * a name (a LATERAL with a LIMIT is never turned into a join): given an `IN` list or an EXISTS,
   * its planner, whose statistics lag behind a bulk import, read all of the team's rows by
   * `team_id` and filtered or hashed them (16 ms a batch of 500 at 100,000 instances, 1 ms so).
   */
  const namesTaken = async (trx: Kysely<Database>, teamId: string, names: readonly string[]): Promise<string[]> => {
    if (adapter.dialect === 'postgres') {
      const { rows } = await sql<{ name: string }>`select n.name from unnest(${names}::text[]) as n(name)
        cross join lateral (select 1 from instances i where i.team_id = ${teamId} and i.name = n.name limit 1) as taken`.execute(trx);
      return rows.map((row) => row.name);
    }
    const rows = await trx.selectFrom('instances').select('name').where('team_id', '=', teamId).where('name', 'in', names).execute();
    return rows.map((row) => row.name);
  };

  /** Locks an instance row for a read-modify-write inside `trx`. */
  const lockInstance = async (trx: Kysely<Database>, id: string) => {
    const row = await adapter.forUpdate(trx.selectFrom('instances').selectAll().where('id', '=', id)).executeTakeFirst();
    if (!row) throw notFound(id);
    return row;
  };

  /** A create's intent's generated secrets (CreateClaimer.intentFor): the engine's own upsert, under the active key only. */
  const recordIntentSecret = upsertUnderActiveKeyOf(adapter, false);

  /** `intents`: false once a create's intent met a switched master key (its retry records none). */
  async function createInstance(input: NewInstance, intents = true): Promise<Instance> {
    const id = input.id ?? newId();
    const now = ctx.now();
    const at = ctx.iso();
    const status = firstStatus(input);
    // A worker of this process may take the new instance in this transaction (Store.claimOnCreate),
    // and its first pass's intent be recorded with it (CreateClaimer.intentFor).
    let lease: CreateLease | undefined;
    let intent: CreateIntent | undefined;
    let claimed: { claim: ClaimedInstance; created: Instance; held: LeasedRow } | undefined;
    try {
      await adapter.transaction(async (trx) => {
        // Locking the team row serialises concurrent creates of one team (on PostgreSQL; SQLite's
        // immediate transaction already does), so the name check and the quota count hold until commit.
        // The name and the first quota's usage are one statement, asked right behind the lock, not
        // after its answer: on PostgreSQL both go out in one flight (pipelined, postgres-pipeline.ts),
        // still in this order on the connection, so the read (a statement of its own, with its own
        // snapshot under READ COMMITTED) runs once the lock is held and sees every create of the team
        // committed before. A team not found fails the create whatever the read found.
        const [first, ...others] = quotaClaims(input);
        const locked = lockedTeam(trx, input.teamId);
        const read = nameAndUsage(trx, input.teamId, input.name, first);
        const { announcing } = adapter;
        const insertWithEvent = () => {
          // Asked once (a write may run again after a rolled-back batch): a yes is answered by take or release below.
          if (!input.approval && lease === undefined) {
            lease = ctx.createClaims.lease(now);
            // A composite's part is left to its pass: its status changes are its parent's business (wakeParent).
            if (lease !== undefined && intents && input.parent === undefined) intent = lease.claimer.intentFor?.({ ...input, id });
          }
          const row = instanceRow(input, id, intent?.status ?? status, now, at);
          const leased = lease === undefined ? row : leasedTo(row, lease, intent);
          // A taken create on PostgreSQL: the claim's row is the insert's answer (insertClaimedInstanceRow).
          const payload = announcing?.announcement({ instanceId: id, teamId: input.teamId });
          const inserted = announcing === undefined ? insertInstanceRow(trx, leased)
            : lease !== undefined ? insertClaimedInstanceRow(trx, leased, announcing, payload!)
            : insertAnnouncedInstanceRow(trx, leased, announcing, payload!);
          // The event (and its request row, copied from the new row) asked right behind the insert,
          // in this order: one flight on PostgreSQL; should the insert fail, the event fails with it.
          // An intent's generated secrets go in the same flight, after them: written only under the
          // active key, as the pass's own write (0 rows: a key switched since the engine sealed them).
          const secret = intent?.secret;
          return Promise.all([inserted, writeEvent(trx, at, requestedEvent(input, id)),
            secret === undefined ? undefined : recordIntentSecret(trx, KEYRING_ROW, id, secret.name, secret.envelope, secret.keyId, at)]);
        };
        // PostgreSQL, at most one quota claim: the insert and its event go right behind the read, in
        // the same flight as BEGIN and the lock, before the checks' answers (a round trip a create,
        // bench/README.md §1 round 24). Still in this order on the connection, so the read (its own
        // snapshot, once the lock is held) does not see the new row, and a failed lock fails the rest
        // (the transaction is aborted). A create the checks refuse throws as before, its insert failed
        // (the name taken, the team gone) or rolled back with the transaction: nothing written, the
        // error the checks'; it is thrown once the insert and its event have settled, so that nothing
        // of theirs (an outsider's intervention follows the event's answer) comes after the ROLLBACK.
        // SQLite runs each statement before the next is built: nothing to save there. A composite's
        // further claims are counted before the insert, as before.
        const early = adapter.dialect === 'postgres' && others.length === 0 ? insertWithEvent() : undefined;
        early?.catch(() => {}); // awaited below, after the checks
        try {
          const [[team], { taken, used }] = await Promise.all([locked, read]);
          if (!team) throw teamNotFound();
          if (taken) throw nameTaken(team.name, input.name);
          if (first !== undefined) withinQuota(team.name, first, used);
          for (const claim of others) await checkQuota(trx, team.name, input.teamId, claim);
        } catch (error) {
          await early?.catch(() => {});
          throw error;
        }
        const [insertedRows, , secretWritten] = await (early ?? insertWithEvent());
        if (secretWritten === 0) throw new IntentKeySwitched();
        const claimedRowRead = lease !== undefined && announcing !== undefined ? (insertedRows as ClaimedRow[])[0] : undefined;
        if (input.approval) await insertApproval(trx, at, { ...input.approval, instanceId: id, teamId: input.teamId, instanceName: input.name, requestedBy: input.createdBy });
        if (announcing === undefined) await adapter.announce(trx, { instanceId: id, teamId: input.teamId });
        if (lease !== undefined) claimed = await claimedAtCreate(trx, id, lease, claimedRowRead, intent?.secret !== undefined);
      });
    } catch (error) {
      lease?.claimer.release();
      // Rolled back, nothing of it written: made again as a create whose pass records its intent (its put seals anew).
      if (error instanceof IntentKeySwitched) return createInstance(input, false);
      // The pre-check covers the usual case; this covers a race the lock did not (or a caller-chosen id reused).
      if (adapter.isUniqueViolation(error)) throw nameTaken(undefined, input.name, error);
      throw error;
    }
    if (claimed !== undefined) {
      // Held as a claim's row is (held-rows.ts): the pass's first write, its intent record, then
      // updates on the guess that nothing changed the row since, without reading it under a lock
      // first (a round trip on PostgreSQL, between the create's commit and the driver's call).
      ctx.heldRows.keep(id, lease!.token, claimed.held);
      // Handed over before the change is told (once), so the worker's own listener knows it holds
      // it and counts that change as its pass's own (engine.ts, launch).
      lease!.claimer.take(claimed.claim, intent);
      ctx.feed.emit({ instanceId: id, teamId: input.teamId });
      return claimed.created;
    }
    ctx.feed.emit({ instanceId: id, teamId: input.teamId });
    return (await getInstance(id))!;
  }

  /**
   * The new row as claimDue hands a claimed one over, read in the create's transaction (compiled
   * once: every create taken at once reads it), or as its insert returned it (PostgreSQL).
   */
  async function claimedAtCreate(trx: Kysely<Database>, id: string, lease: CreateLease, inserted?: ClaimedRow, secretWritten = false): Promise<{ claim: ClaimedInstance; created: Instance; held: LeasedRow }> {
    const row = inserted ?? (await claimedRow(trx, id))[0];
    if (row === undefined) throw new Error(`instance ${id} not found in the transaction that inserted it`);
    const claim = {
      instance: toInstance(row), engine: toEngineState(row), leaseToken: lease.token, leaseExpiresAt: lease.expiresAt,
      // The insert's RETURNING (PostgreSQL) ran before the intent's secret was written behind it.
      secretsStored: secretWritten || row.secrets_stored === true || Number(row.secrets_stored) === 1,
    };
    // The create's answer is an object of its own: the pass keeps the claim's.
    return { claim, created: toInstance(row), held: heldRowOf(row) };
  }

  /**
   * Many requests in one transaction, checked as createInstance checks each one, in order: a
   * request counts against the quotas and holds its name for the requests after it. Each
   * request is created whole (row, event, measures, approval) or not at all, and one refused
   * (team, name, quota) does not stop the others. The rows go in multi-row inserts, so a
   * statement and a commit serve hundreds of requests. Should the transaction fail anyway (a
   * caller-chosen id reused, a lost connection), nothing of it stays and each request is tried
   * again alone, in order, through createInstance, to get its own answer.
   */
  async function createInstances(inputs: readonly NewInstance[]): Promise<PromiseSettledResult<Instance>[]> {
    if (inputs.length === 0) return [];
    const now = ctx.now();
    const at = ctx.iso();
    const planned = inputs.map((input) => ({ ...input, id: input.id ?? newId() }));
    let outcomes: Array<{ refused: unknown } | undefined> = [];
    let teamNames = new Map<string, string>();
    let rows: Array<Omit<NewInstanceRow, 'seq'> & { seq: number | undefined }> = [];
    try {
      await adapter.transaction(async (trx) => {
        ({ outcomes, teamNames } = await checkBatch(trx, planned));
        const created = planned.filter((_, i) => outcomes[i] === undefined);
        const firstSeq = created.length > 0 ? await adapter.nextInsertionOrder(trx, 'instances', 'seq') : undefined;
        // The row gains its seq in place: a copy of 37 columns a request was a share of the batch's garbage.
        rows = created.map((input, i) => Object.assign(instanceRow(input, input.id, firstStatus(input), now, at), { seq: firstSeq === undefined ? undefined : firstSeq + i }));
        const events = created.map((input) => requestedEvent(input, input.id));
        const requests = created.map((input): RequestedRow => ({
          instanceId: input.id, teamId: input.teamId, product: input.product, productVersion: input.productVersion,
          serviceId: input.workload?.serviceId ?? null, parentId: input.parent?.id ?? null, actor: input.createdBy,
        }));
        const changes = created.map((input) => ({ instanceId: input.id, teamId: input.teamId }));
        const { announcing } = adapter;
        if (adapter.dialect === 'postgres' && announcing !== undefined && created.length > 0) {
          await pipelined(created.length, PIPELINED_REQUESTS, (from, to) => writeRequestedBatch(trx,
            ...rowsAgainstBase(rows.slice(from, to), INSTANCE_INSERT_COLUMNS),
            ...rowsAgainstBase(eventRowsOf(at, events.slice(from, to)), EVENT_COLUMNS),
            ...rowsAgainstBase(requestRowsOf(at, requests.slice(from, to)), REQUEST_COLUMNS),
            CHANGE_CHANNEL, changes.slice(from, to).map((change) => announcing.announcement(change))));
          await recordOutsiders(trx, at, requests);
        } else {
          const insert = firstSeq === undefined ? insertInstanceRows : insertNumberedInstanceRows;
          for (let i = 0; i < rows.length; i += INSTANCE_ROWS_PER_INSERT) await insert(trx, rows.slice(i, i + INSTANCE_ROWS_PER_INSERT));
          await insertEventRows(trx, at, events);
          await projectRequests(trx, at, requests);
        }
        for (const input of created) {
          if (input.approval) await insertApproval(trx, at, { ...input.approval, instanceId: input.id, teamId: input.teamId, instanceName: input.name, requestedBy: input.createdBy });
        }
        if (adapter.dialect !== 'postgres' || announcing === undefined) await adapter.announceAll(trx, changes);
      });
    } catch {
      const alone: PromiseSettledResult<Instance>[] = [];
      for (const input of planned) alone.push(await createInstance(input).then((value) => ({ status: 'fulfilled' as const, value }), (reason: unknown) => ({ status: 'rejected' as const, reason })));
      return alone;
    }
    const created = planned.filter((_, i) => outcomes[i] === undefined);
    for (const input of created) ctx.feed.emit({ instanceId: input.id, teamId: input.teamId });
    // Each answer is the instance as created, from the row as written (a read after the commit may
    // already see a worker's pass: either is true); reading hundreds of wide rows back was a fifth
    // of a batch's time on PostgreSQL.
    // A workload's service name and a composite parent's name are not in the request: those are read.
    const instances = new Map<string, Instance>();
    const unnamed: string[] = [];
    for (const row of rows) {
      if (row.service_id !== null || row.parent_id !== null) unnamed.push(row.id);
      // An Instance carries no seq (PostgreSQL's sequence numbered the row, unknown here).
      // The row, written and no longer needed, becomes the view row in place (no copy).
      else instances.set(row.id, toInstance(Object.assign(row, { seq: row.seq ?? 0, team_name: teamNames.get(row.team_id)!, service_name: null, parent_name: null })));
    }
    for (let i = 0; i < unnamed.length; i += INSTANCE_ROWS_PER_INSERT) {
      for (const row of await selectInstances(db).where('instances.id', 'in', unnamed.slice(i, i + INSTANCE_ROWS_PER_INSERT)).execute()) instances.set(row.id, toInstance(row));
    }
    return planned.map((input, i) => {
      const outcome = outcomes[i];
      return outcome === undefined ? { status: 'fulfilled', value: instances.get(input.id)! } : { status: 'rejected', reason: outcome.refused };
    });
  }

  /**
   * createInstance's checks for a batch, under the same locks: each team row locked (in id
   * order, so two batches never wait for each other crosswise), the names taken read per team,
   * each quota counted once and then kept up to date as requests are accepted. Undefined for a
   * request accepted, its error for one refused.
   */
  async function checkBatch(trx: Kysely<Database>, inputs: readonly NewInstance[]): Promise<{ outcomes: Array<{ refused: unknown } | undefined>; teamNames: Map<string, string> }> {
    const teamNames = new Map<string, string>();
    for (const teamId of [...new Set(inputs.map((input) => input.teamId))].sort()) {
      const [team] = await lockedTeam(trx, teamId);
      if (team) teamNames.set(teamId, team.name);
    }
    const key = (...parts: string[]) => parts.join('\u0000');
    const names = new Set<string>();
    for (const teamId of teamNames.keys()) {
      const asked = [...new Set(inputs.filter((input) => input.teamId === teamId).map((input) => input.name))];
      for (let i = 0; i < asked.length; i += INSTANCE_ROWS_PER_INSERT) {
        for (const name of await namesTaken(trx, teamId, asked.slice(i, i + INSTANCE_ROWS_PER_INSERT))) names.add(key(teamId, name));
      }
    }
    // Instances of a product and plan: counted in the table when a quota first asks, plus those this batch accepted.
    const counted = new Map<string, number>();
    const accepted = new Map<string, number>();
    const used = async (teamId: string, product: string, plan: string) => {
      const k = key(teamId, product, plan);
      if (!counted.has(k)) counted.set(k, await countQuota(trx, teamId, product, plan));
      return counted.get(k)! + (accepted.get(k) ?? 0);
    };
    const outcomes: Array<{ refused: unknown } | undefined> = [];
    for (const input of inputs) {
      outcomes.push(await (async () => {
        const teamName = teamNames.get(input.teamId);
        if (teamName === undefined) return { refused: teamNotFound() };
        if (names.has(key(input.teamId, input.name))) return { refused: nameTaken(teamName, input.name) };
        for (const claim of quotaClaims(input)) {
          const n = await used(input.teamId, claim.product, claim.plan);
          if (n + claim.adding > claim.max) return { refused: quotaExceeded(teamName, claim, n) };
        }
        names.add(key(input.teamId, input.name));
        const own = key(input.teamId, input.product, input.plan);
        accepted.set(own, (accepted.get(own) ?? 0) + 1);
        return undefined;
      })());
    }
    return { outcomes, teamNames };
  }

  /** Applies `change` to a locked instance row, appends its event and tells listeners; returns the new instance. */
  async function changeInstance(
    id: string,
    change: (row: Selectable<InstancesTable>) => { set: Updateable<InstancesTable>; event: Parameters<typeof insertEvent>[2] } | undefined,
  ): Promise<Instance> {
    let teamId: string | undefined;
    // Read back inside the transaction: after the commit, a worker (another process) may
    // already have acted on the change, and forgotten a deleted instance.
    const instance = await adapter.transaction(async (trx) => {
      const row = await lockInstance(trx, id);
      const planned = change(row);
      if (planned) {
        teamId = row.team_id;
        const update = trx.updateTable('instances').set({ ...planned.set, updated_at: ctx.iso() }).where('id', '=', id);
        // PostgreSQL's NOTIFY rides on the update (DialectAdapter.announcing): a round trip a change.
        const { announcing } = adapter;
        if (announcing === undefined) await update.execute();
        else await update.returning(announcing.expression(announcing.announcement({ instanceId: id, teamId: row.team_id })).as('announced')).execute();
        await insertEvent(trx, ctx.iso(), planned.event);
        if (announcing === undefined) await adapter.announce(trx, { instanceId: id, teamId: row.team_id });
      }
      return getInstance(id, trx);
    });
    if (teamId !== undefined) ctx.feed.emit({ instanceId: id, teamId });
    if (!instance) throw notFound(id);
    return instance;
  }

  return {
    createInstance,
    createInstances,
    getInstance: (id: string) => getInstance(id),

    async getInstanceWithSecret(id: string, secretName: string): Promise<InstanceWithSecret | undefined> {
      const [row] = await instanceWithSecret(db, secretName, id);
      if (row === undefined) return undefined;
      const secret = row.secret_envelope === null ? null : toSecretRow({ owner_id: id, name: secretName, envelope: row.secret_envelope, key_id: row.secret_key_id, updated_at: row.secret_updated_at! });
      return { instance: toInstance(row), secret };
    },

    async getInstanceByName(teamId: string, name: string): Promise<Instance | undefined> {
      const [row] = await instanceByName(db, teamId, name);
      return row && toInstance(row);
    },

    keptInstancePage(filter: InstanceFilter): Page<Instance> | undefined {
      const teamId = keptPageTeam(filter);
      if (teamId === undefined) return undefined;
      const seq = filter.cursor === undefined ? undefined : (decodeCursor(filter.cursor, ['number']) as [number])[0];
      return ctx.unchanged.kept(teamPageKey(teamId, filter, seq, pageLimit(filter.limit)));
    },

    async listInstances(filter: InstanceFilter): Promise<Page<Instance>> {
      const limit = pageLimit(filter.limit);
      if (filter.teamIds && filter.teamIds.length === 0) return { items: [] };
      const seq = filter.cursor === undefined ? undefined : (decodeCursor(filter.cursor, ['number']) as [number])[0];
      const toPage = (rows: ReadonlyArray<InstanceViewRow & { seq: number }>) => {
        const items = rows.slice(0, limit);
        const last = items[items.length - 1];
        const page: Page<Instance> = { items: items.map(toInstance) };
        if (rows.length > limit && last) page.nextCursor = encodeCursor([last.seq]);
        return page;
      };
      // A team's page, as the API reads it: through the compiled reads, answered again while nothing changed.
      const teamId = keptPageTeam(filter);
      if (teamId !== undefined) {
        return ctx.unchanged(teamPageKey(teamId, filter, seq, limit), async () => toPage(await teamPageRows(db, teamId, filter, seq, limit + 1)));
      }
      let query = selectInstances(db);
      if (filter.teamIds) query = query.where('instances.team_id', 'in', filter.teamIds);
      if (filter.product !== undefined) query = query.where('instances.product', '=', filter.product);
      if (filter.phase !== undefined) query = query.where(adapter.jsonField('instances.status', 'phase'), '=', filter.phase);
      if (filter.topLevel === true) query = query.where('instances.parent_id', 'is', null);
      if (seq !== undefined) query = query.where('instances.seq', '>', seq);
      return toPage(await query.orderBy('instances.seq').limit(limit + 1).execute());
    },

    async countInstances(filter: { teamId?: string; product?: string; plan?: string }): Promise<number> {
      // The policy gate's count of a quota, for every create: the compiled statement.
      if (filter.teamId !== undefined && filter.product !== undefined && filter.plan !== undefined) return countQuota(db, filter.teamId, filter.product, filter.plan);
      let query = db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('count'));
      if (filter.teamId !== undefined) query = query.where('team_id', '=', filter.teamId);
      if (filter.product !== undefined) query = query.where('product', '=', filter.product);
      if (filter.plan !== undefined) query = query.where('plan', '=', filter.plan);
      return Number((await query.executeTakeFirstOrThrow()).count);
    },

    /** A spec equal to the current one changes nothing: no new generation, no event. */
    updateInstanceSpec(id: string, spec: { plan?: string; productVersion?: string; inputs?: Record<string, unknown> }, actor: string, provenance?: RequestProvenance) {
      return changeInstance(id, (row) => {
        if (row.deletion_requested) {
          throw new ConflictError('This instance is being deleted and can no longer be changed.', { code: 'instance_deleting', issues: [{ path: 'id', message: 'is being deleted' }] });
        }
        const set: Updateable<InstancesTable> = {};
        const changed: Record<string, unknown> = {};
        if (spec.plan !== undefined && spec.plan !== row.plan) set.plan = changed.plan = spec.plan;
        if (spec.productVersion !== undefined && spec.productVersion !== row.product_version) set.product_version = changed.version = spec.productVersion;
        if (spec.inputs !== undefined && canonicalJson(spec.inputs) !== canonicalJson(JSON.parse(row.inputs))) {
          set.inputs = JSON.stringify(spec.inputs);
          changed.inputs = Object.keys(spec.inputs); // names only: inputs are not secret, but events should stay small
        }
        if (Object.keys(set).length === 0) return undefined;
        return {
          set: { ...set, generation: Number(row.generation) + 1, due_at: ctx.now() },
          event: {
            kind: 'instance.updated', teamId: row.team_id, instanceId: id, actor,
            data: { name: row.name, ...changed, ...(provenance ? { productVersion: spec.productVersion ?? row.product_version } : {}), ...(provenance ? { interface: provenance.interface, policies: provenance.decisions } : {}) },
          },
        };
      });
    },

    /** Idempotent: a second request neither bumps the generation nor appends a second event. */
    requestDeletion(id: string, actor: string) {
      return changeInstance(id, (row) => {
        if (row.deletion_requested) return undefined;
        // The phase shows Deleting at once, so the requester sees the request was taken; the
        // hash moves with it so the engine's first identical recordStatus is 'unchanged'.
        const status = { ...(JSON.parse(row.status) as InstanceStatus), phase: 'Deleting' as const };
        return {
          set: {
            deletion_requested: 1,
            generation: Number(row.generation) + 1,
            due_at: ctx.now(),
            status: JSON.stringify(status),
            status_hash: statusHash(status, JSON.parse(row.outputs), Number(row.observed_generation)),
          },
          event: { kind: 'instance.delete-requested', teamId: row.team_id, instanceId: id, actor, data: { name: row.name } },
        };
      });
    },

    /**
     * At most one rotation is asked for at a time: asking again before the engine issued it
     * changes nothing. Asking during a previous rotation's grace period is allowed; the engine
     * then revokes that older credential at once before issuing the new one (DESIGN: at most
     * two credentials work at any moment).
     */
    requestRotation(id: string, actor: string) {
      return changeInstance(id, (row) => {
        if (row.deletion_requested) {
          throw new ConflictError('This instance is being deleted; its credentials can no longer be rotated.', { code: 'instance_deleting', issues: [{ path: 'id', message: 'is being deleted' }] });
        }
        const phase = (JSON.parse(row.status) as InstanceStatus).phase;
        if (phase !== 'Ready') {
          throw new ConflictError(`Only a Ready instance can rotate its credentials; ${row.name} is ${phase}.`, {
            code: 'instance_not_ready',
            issues: [{ path: 'status.phase', message: `is ${phase}, must be Ready` }],
          });
        }
        const rotation = Number(row.rotation);
        if (Number(row.desired_rotation) > rotation) return undefined;
        return {
          set: { desired_rotation: rotation + 1, due_at: ctx.now() },
          event: { kind: 'credentials.rotation-requested', teamId: row.team_id, instanceId: id, actor, data: { name: row.name, rotation: rotation + 1 } },
        };
      });
    },

    /**
     * "Try again now" after the cause of a failure was fixed: due now, and the failure count
     * (which sets the backoff and when an instance counts as Failed) back to 0, so the next
     * failure waits the shortest backoff and a retryable one gets its full attempts again. A
     * Failed instance shows Provisioning (or Deleting) at once, as requestDeletion shows
     * Deleting: the requester sees the request was taken, and the engine's next result, Failed
     * again included, is a visible change that a watcher (`paved reconcile --wait`) is told of.
     * Intent (pendingAction, deletionStep) stays: it is what a resumed pass needs.
     * Every request is recorded, with who asked. A pass already running when the request lands
     * writes its own next due time and attempts: that pass is the retry.
     */
    requestReconcile(id: string, actor: string) {
      return changeInstance(id, (row) => {
        const previous = JSON.parse(row.status) as InstanceStatus;
        const set: Updateable<InstancesTable> = { due_at: ctx.now(), attempts: 0 };
        if (previous.phase === 'Failed') {
          const status = { ...previous, phase: row.deletion_requested ? ('Deleting' as const) : ('Provisioning' as const) };
          set.status = JSON.stringify(status);
          set.status_hash = statusHash(status, JSON.parse(row.outputs), Number(row.observed_generation));
        }
        return {
          set,
          event: { kind: 'instance.reconcile-requested', teamId: row.team_id, instanceId: id, actor, data: { name: row.name, phase: previous.phase } },
        };
      });
    },

    async touch(id: string): Promise<void> {
      const row = await db.updateTable('instances').set({ due_at: ctx.now() }).where('id', '=', id).returning(['team_id']).executeTakeFirst();
      if (!row) throw notFound(id);
      // A plain UPDATE outside a transaction: announce it as its own statement.
      await adapter.announce(db, { instanceId: id, teamId: row.team_id });
      ctx.feed.emit({ instanceId: id, teamId: row.team_id });
    },
  };
}

/** The due time of an instance the engine must leave alone (waiting for approval, denied). */
export const NEVER_DUE = 8_640_000_000_000_000;

/** The instance's own quota and any further claims (a composite's parts), merged per product and plan. */
function quotaClaims(input: NewInstance): QuotaClaim[] {
  const claims = new Map<string, QuotaClaim>();
  const all = [...(input.quota ? [{ product: input.product, plan: input.plan, max: input.quota.max, adding: 1 }] : []), ...(input.quotas ?? [])];
  for (const claim of all) {
    const key = `${claim.product}\u0000${claim.plan}`;
    const seen = claims.get(key);
    claims.set(key, seen ? { ...seen, adding: seen.adding + claim.adding, max: Math.min(seen.max, claim.max) } : { ...claim });
  }
  return [...claims.values()];
}

/**
 * Every instance of the product and plan counts, parts of composites included (a composite of
 * three large databases uses three large databases), and instances being deleted (they still
 * hold their resource).
 */
async function checkQuota(trx: Kysely<Database>, teamName: string, teamId: string, claim: QuotaClaim): Promise<void> {
  withinQuota(teamName, claim, await countQuota(trx, teamId, claim.product, claim.plan));
}

function withinQuota(teamName: string, claim: QuotaClaim, used: number): void {
  if (used + claim.adding > claim.max) throw quotaExceeded(teamName, claim, used);
}

/** Whether the team has an instance of that name and, with a quota claim, how many of its product and plan it has: one statement. */
async function nameAndUsage(trx: Kysely<Database>, teamId: string, name: string, claim: QuotaClaim | undefined): Promise<{ taken: boolean; used: number }> {
  if (claim === undefined) {
    const [taken] = await nameInTeam(trx, teamId, name);
    return { taken: taken !== undefined, used: 0 };
  }
  const [row] = await nameAndQuotaCount(trx, teamId, name, claim.product, claim.plan);
  return { taken: row!.taken !== null, used: Number(row!.used) };
}

/** nameInTeam and quotaCount together, compiled once (compiled.ts): every create of a product with a quota asks both. */
const nameAndQuotaCount = compiledRead((db, teamId: string, name: string, product: string, plan: string) => db.selectNoFrom((eb) => [
  eb.selectFrom('instances').select('id').where('team_id', '=', teamId).where('name', '=', name).limit(1).as('taken'),
  eb.selectFrom('instances').select((count) => count.fn.countAll<number>().as('count')).where('team_id', '=', teamId).where('product', '=', product).where('plan', '=', plan).as('used'),
]));

/** Every create of a product with a quota counts: compiled once (compiled.ts). */
const quotaCount = compiledRead((db, teamId: string, product: string, plan: string) => db
  .selectFrom('instances')
  .select((eb) => eb.fn.countAll<number>().as('count'))
  .where('team_id', '=', teamId)
  .where('product', '=', product)
  .where('plan', '=', plan));

async function countQuota(trx: Kysely<Database>, teamId: string, product: string, plan: string): Promise<number> {
  const [row] = await quotaCount(trx, teamId, product, plan);
  return Number(row!.count);
}

function quotaExceeded(teamName: string, claim: QuotaClaim, used: number): QuotaError {
  const parts = claim.adding > 1 ? ` and this request adds ${claim.adding} (composite parts count)` : '';
  return new QuotaError(
    `Team ${teamName} already has ${used} ${claim.product} instance(s) on plan ${claim.plan}${parts}; the most allowed is ${claim.max}. Delete one or choose another plan.`,
    { code: 'quota_exceeded', issues: [{ path: 'plan', message: `quota of ${claim.max} ${claim.product}/${claim.plan} per team: ${used} used, ${claim.adding} more asked` }] },
  );
}

/** 37 columns a row: 18,500 bound parameters, under SQLite's 32,766 and PostgreSQL's 65,535. */
const INSTANCE_ROWS_PER_INSERT = 500;

function teamNotFound(): NotFoundError {
  return new NotFoundError('No such team.', { code: 'team_not_found', issues: [{ path: 'teamId', message: 'does not exist' }] });
}

function nameTaken(teamName: string | undefined, name: string, cause?: unknown): ConflictError {
  const where = teamName ? ` in team ${teamName}` : '';
  return new ConflictError(`An instance named ${name} already exists${where}; choose another name.`, {
    code: 'instance_exists',
    issues: [{ path: 'name', message: 'is already taken' }],
    cause,
  });
}

/** A create's intent's secret was not written: the master key switched since the engine sealed it. */
class IntentKeySwitched extends Error {}

/** A request held for approval waits where the engine never looks (due at the end of time) until decided. */
function firstStatus(input: NewInstance): InstanceStatus {
  return input.approval
    ? { phase: 'AwaitingApproval', conditions: [], approval: { id: input.approval.id, state: 'Waiting', approvers: input.approval.approvers, policies: input.approval.decisions.map((d) => d.policy) } }
    : { phase: 'Pending', conditions: [] };
}

/** Every request not held for approval starts with the same status: its hash (a canonical JSON and a sha256) made once. */
let pendingHash: string | undefined;
const PENDING_HASH = () => (pendingHash ??= statusHash({ phase: 'Pending', conditions: [] }, {}, 0));

/** A new instance's row: generation 1, nothing observed yet, due now (or never, while it awaits approval). */
function instanceRow(input: NewInstance, id: string, status: InstanceStatus, now: number, at: string): Omit<NewInstanceRow, 'seq'> {
  return {
    id,
    team_id: input.teamId,
    name: input.name,
    product: input.product,
    product_version: input.productVersion,
    plan: input.plan,
    inputs: JSON.stringify(input.inputs ?? {}),
    external_name: input.externalName,
    target: input.target,
    generation: 1,
    observed_generation: 0,
    deletion_requested: 0,
    status: JSON.stringify(status),
    outputs: '{}',
    status_hash: status.phase === 'Pending' ? PENDING_HASH() : statusHash(status, {}, 0),
    created_by: input.createdBy,
    created_at: at,
    updated_at: at,
    pending_action: null,
    deletion_step: null,
    attempts: 0,
    due_at: input.approval ? NEVER_DUE : now,
    lease_owner: null,
    lease_token: null,
    lease_expires_at: null,
    claimed_generation: 0,
    rotation: 0,
    desired_rotation: 0,
    claimed_desired_rotation: 0,
    revoke_rotation: null,
    revoke_at: null,
    service_id: input.workload?.serviceId ?? null,
    environment: input.workload?.environment ?? input.environment ?? null,
    resource: input.workload?.resource ?? null,
    shared: input.workload?.shared ? 1 : 0,
    parent_id: input.parent?.id ?? null,
    part: input.parent?.part ?? null,
  };
}

/** The lease columns claimDue sets, for a row inserted already claimed (Store.claimOnCreate), with its first intent's if recorded. */
function leasedTo(row: Omit<NewInstanceRow, 'seq'>, lease: CreateLease, intent?: CreateIntent): Omit<NewInstanceRow, 'seq'> {
  return {
    ...row, lease_owner: lease.claimer.owner, lease_token: lease.token, lease_expires_at: lease.expiresAt,
    pending_action: intent === undefined ? null : intent.pendingAction,
    claimed_generation: row.generation, claimed_desired_rotation: row.desired_rotation,
  };
}

/** The `instance.requested` event of a new instance. */
function requestedEvent(input: NewInstance, id: string): NewEvent {
  return {
    kind: 'instance.requested',
    teamId: input.teamId,
    instanceId: id,
    actor: input.createdBy,
    data: {
      name: input.name, product: input.product, version: input.productVersion, plan: input.plan,
      ...(input.provenance ? { interface: input.provenance.interface, policies: input.provenance.decisions } : {}),
    },
  };
}
