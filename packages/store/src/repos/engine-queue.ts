import { randomUUID } from 'node:crypto';
import type { Kysely, Updateable } from '#kysely';
import type { StoreContext } from '../context.js';
import type { Database, InstancesTable } from '../schema.js';
import type { DialectAdapter } from '../dialect/adapter.js';
import type { ClaimedInstance, EngineState, InstanceWithSecret, NewEvent, ReadyRider, StatusWrite, WriteOutcome } from '../types.js';
import { canonicalJson, sameStatusHash, statusHashOf } from '../canonical.js';
import { ROTATION_COLUMNS, engineColumns, selectInstances, toEngineState, toInstance } from '../rows.js';
import { compiledChange, compiledRead } from '../compiled.js';
import { eventAndOutcomeValues, eventValues, insertEvent, writeEvent } from './events.js';
import { wakeParent } from './composition.js';
import { LEASED_ROW_COLUMNS, heldRowOf, type LeasedRow } from './held-rows.js';
import { combinedInstanceUpdate, type InstanceUpdateShape } from './instance-updates.js';
import { combinedOrAlone, type CombinedStatement } from '../combined-write.js';
import { claimInOneStatement } from './claim-statement.js';
import { outcomeOnly, type OutcomeColumn } from './measures-projection.js';
import { statusWithOutcome, statusWithOutcomeShown, type ShownRow } from './status-with-outcome.js';
import { toSecretRow } from './secrets.js';
import type { EventAndOutcome } from './event-appends.js';

/**
 * Ends a pass's lease. Work requested during the pass (a spec change, a delete or a rotation
 * asked for while the lease was held) is due at once, as in recordStatus: one statement, so
 * the release shares its commit with others (adapter.write).
 */
const releaseLease = compiledRead((db, id: string, leaseToken: string, now: number) => db
  .updateTable('instances')
  .set((eb) => ({
    lease_owner: null, lease_token: null, lease_expires_at: null,
    due_at: eb.case()
      .when(eb.and([eb('due_at', '>', now), eb.or([eb('generation', '>', eb.ref('claimed_generation')), eb('desired_rotation', '>', eb.ref('claimed_desired_rotation'))])]))
      .then(now).else(eb.ref('due_at')).end(),
  }))
  .where('id', '=', id)
  .where('lease_token', '=', leaseToken));

/**
 * The earliest due time of an instance no live lease holds: what the engine's claim loop sleeps
 * until, asked each time it finds nothing more to claim (after a create's pass, among others).
 * Built and compiled once, not with Kysely at every call.
 */
const nextDue = compiledRead((db, now: number) => db
  .selectFrom('instances')
  .select((eb) => eb.fn.min('due_at').as('next'))
  .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)])));

const renewLease = compiledRead((db, id: string, leaseToken: string, expiresAt: number) => db
  .updateTable('instances').set({ lease_expires_at: expiresAt }).where('id', '=', id).where('lease_token', '=', leaseToken).returning('id'));

/** What a status write did, and the row as it left it (kept for the pass's next write). */
interface StatusWritten {
  outcome: WriteOutcome;
  teamId?: string;
  parent?: { instanceId: string; teamId: string };
  row?: LeasedRow;
  /** The instance as the write committed it, with StatusWrite.shownWithSecret, where its statement answered them. */
  shown?: InstanceWithSecret;
}

/**
 * The row as a write leaves it: `row` with the rotation columns `engine` sets. One copy, made
 * column by column (twice a pass: a filter, a map, Object.fromEntries and two spreads made garbage).
 */
function rowAfter(row: LeasedRow, engine: ReturnType<typeof engineColumns>): LeasedRow {
  const after = { ...row };
  for (const column of ROTATION_COLUMNS) {
    const value = engine[column];
    if (value !== undefined) (after as Record<string, unknown>)[column] = value;
  }
  return after;
}

/** The lease columns of a row no pass holds. */
const RELEASED = { lease_owner: null, lease_token: null, lease_expires_at: null } as const;

/** announce's NOTIFY carried by an update (DialectAdapter.announcing), and what it says. */
interface Announce {
  announcing: NonNullable<DialectAdapter['announcing']>;
  payload: string;
}

/**
 * An update of an instance's columns `set` (the engine's writes: which columns varies with the
 * step), compiled once per set of column names (compiled.ts): building it with Kysely each time
 * was about a tenth of the engine's CPU time on SQLite. With `leaseToken`, only while that
 * lease holds; with `announce`, it NOTIFYs too. It returns how many rows it changed (0 or 1):
 * counted, not RETURNING their ids, unless it announces (the NOTIFY is in the RETURNING list).
 */
type CompiledUpdate = (db: Kysely<Database>, ...args: unknown[]) => Promise<number>;
/**
 * By the options and `set`'s keys in their given order (each call site's own, so a handful of
 * entries): its columns sorted, and its update. Keyed as given so that a write sorts nothing.
 */
interface UpdateEntry {
  columns: string[];
  update: CompiledUpdate;
  combined: CombinedStatement<readonly unknown[], number> | undefined;
  /** The same update with an outcome event, by the event's outcome column (status-with-outcome.ts): made when first asked for. */
  withOutcome: Map<OutcomeColumn, CombinedStatement<readonly unknown[], number> | undefined>;
  /** The same, alone, answering the instance as committed (status-with-outcome.ts statusWithOutcomeShown): made when first asked for. */
  shown: Map<OutcomeColumn, NonNullable<ReturnType<typeof statusWithOutcomeShown>> | undefined>;
  /** `shown` with a rider's event (Store.rideOnReady): made when first asked for. */
  riding: Map<OutcomeColumn, NonNullable<ReturnType<typeof statusWithOutcomeShown>> | undefined>;
}
type UpdateOptions = { leaseToken?: string; announce?: Announce; unchangedSince?: string };
const updatesByColumns = new Map<string, UpdateEntry>();
function updateEntry(set: Updateable<InstancesTable>, options: UpdateOptions): UpdateEntry {
  const { leaseToken, announce, unchangedSince } = options;
  const given = Object.keys(set);
  const key = `${leaseToken === undefined ? '' : 'leased'}:${announce === undefined ? '' : 'announced'}:${unchangedSince === undefined ? '' : 'unchanged'}:${given.join(',')}`;
  let entry = updatesByColumns.get(key);
  if (entry === undefined) {
    const columns = given.sort();
    const build = (executor: Kysely<Database>, rowId: unknown, ...rest: unknown[]) => {
      const token = leaseToken === undefined ? undefined : rest.shift();
      const payload = announce === undefined ? undefined : rest.shift();
      const hash = unchangedSince === undefined ? undefined : rest.shift();
      let query = executor.updateTable('instances').set(Object.fromEntries(columns.map((column, i) => [column, rest[i]])) as Updateable<InstancesTable>).where('id', '=', rowId as string);
      if (token !== undefined) query = query.where('lease_token', '=', token as string);
      if (hash !== undefined) {
        // Nothing changed the row since the pass last knew it (HeldRows): its status, and no spec change or rotation asked for.
        query = query.where('status_hash', '=', hash as string)
          .whereRef('generation', '=', 'claimed_generation').whereRef('desired_rotation', '=', 'claimed_desired_rotation');
      }
      return payload === undefined ? query : query.returning(['id', announce!.announcing.expression(payload as string).as('announced')]);
    };
    let update: CompiledUpdate;
    if (announce === undefined) {
      update = compiledChange(build) as CompiledUpdate;
    } else {
      const announced = compiledRead(build) as (db: Kysely<Database>, ...args: unknown[]) => Promise<unknown[]>;
      update = async (db, ...args) => (await announced(db, ...args)).length;
    }
    // With the same shape's other updates of a turn, one statement on PostgreSQL's pipelined writes (instance-updates.ts).
    const combined = combinedInstanceUpdate({ columns, leased: leaseToken !== undefined, announced: announce !== undefined, unchangedSince: unchangedSince !== undefined });
    entry = { columns, update, combined, withOutcome: new Map(), shown: new Map(), riding: new Map() };
    updatesByColumns.set(key, entry);
  }
  return entry;
}

/** An update's arguments, in its statement's order: id, then the guards', then the columns'. */
function updateArgs(entry: UpdateEntry, id: string, set: Updateable<InstancesTable>, options: UpdateOptions): unknown[] {
  const args: unknown[] = [id];
  if (options.leaseToken !== undefined) args.push(options.leaseToken);
  if (options.announce !== undefined) args.push(options.announce.payload);
  if (options.unchangedSince !== undefined) args.push(options.unchangedSince);
  for (const column of entry.columns) args.push((set as Record<string, unknown>)[column]);
  return args;
}

function updateInstance(db: Kysely<Database>, id: string, set: Updateable<InstancesTable>, options: UpdateOptions = {}) {
  const entry = updateEntry(set, options);
  const { update, combined } = entry;
  const args = updateArgs(entry, id, set, options);
  return combined === undefined ? update(db, ...args) : combinedOrAlone(db, combined, args, () => update(db, ...args));
}

/**
 * updateInstance with the write's one outcome event (a Ready, a Failed) in the same statement
 * (status-with-outcome.ts: the event appended only if the update changed the row): how many rows
 * it changed, or undefined where it cannot be one statement (then the caller writes the event
 * after the update, as before).
 */
function updateInstanceWithOutcome(db: Kysely<Database>, id: string, set: Updateable<InstancesTable>, options: UpdateOptions, column: OutcomeColumn, event: EventAndOutcome): Promise<number> | undefined {
  const entry = updateEntry(set, options);
  const statement = madeOnce(entry.withOutcome, entry, options, column, statusWithOutcome);
  if (statement === undefined) return undefined;
  const row = [...updateArgs(entry, id, set, options), ...event];
  return combinedOrAlone(db, statement, row, async () => (await statement.run(db, [row]))[0]!);
}

/** A rider (Store.rideOnReady) to ask as a Ready's statement is sent, and the names it would reveal. */
interface Ride {
  rider: ReadyRider;
  keys: readonly string[];
}

/**
 * updateInstanceWithOutcome alone (writeAlone), answering the instance as it committed it with
 * its secret `secretName` (statusWithOutcomeShown): undefined when its guard refused it; the
 * outer undefined where it cannot be one statement. `ride`: asked now, as the statement is sent;
 * its event, if it gives one, goes in the same statement, and it is told what became of it.
 */
function updateInstanceWithOutcomeShown(db: Kysely<Database>, id: string, set: Updateable<InstancesTable>, options: UpdateOptions, column: OutcomeColumn, event: EventAndOutcome, secretName: string, ride?: Ride): Promise<InstanceWithSecret | undefined> | undefined {
  const entry = updateEntry(set, options);
  const statement = madeOnce(entry.shown, entry, options, column, statusWithOutcomeShown);
  if (statement === undefined) return undefined;
  const args = [...updateArgs(entry, id, set, options), ...event];
  const asked = ride === undefined ? undefined : askRider(ride);
  const riding = asked === undefined ? undefined : madeOnce(entry.riding, entry, options, column, (shape, c) => statusWithOutcomeShown(shape, c, true));
  if (asked !== undefined && riding === undefined) ride!.rider.settled('not-appended');
  if (asked === undefined || riding === undefined) return statement(db, args, secretName).then((row) => row && shownOf(row, secretName));
  return riding(db, args, secretName, { values: eventValues(event[1], asked.event), authEpoch: asked.authEpoch }).then((row) => {
    ride!.rider.settled(row?.rode === true ? 'appended' : 'not-appended');
    return row && shownOf(row, secretName);
  }, (error: unknown) => {
    ride!.rider.settled('unknown');
    throw error;
  });
}

/** A rider's answer; one that throws rides on nothing: a watcher's failure must not fail the engine's Ready (the watcher then reveals as it would without it). */
function askRider(ride: Ride): ReturnType<ReadyRider['ask']> {
  try {
    return ride.rider.ask({ keys: ride.keys });
  } catch {
    return undefined;
  }
}

/** The rider waiting for this write (Store.rideOnReady), taken: a first Ready alone, naming its secret's keys. */
function rideFor(riders: Map<string, ReadyRider>, id: string, write: StatusWrite, event: NewEvent, outputs: Record<string, string>): Ride | undefined {
  const rider = riders.get(id);
  if (rider === undefined || event.kind !== 'instance.ready' || write.shownSecretKeys === undefined) return undefined;
  riders.delete(id);
  return { rider, keys: [...new Set([...Object.keys(outputs), ...write.shownSecretKeys])].sort() };
}

/** An entry's statement for an outcome column, made from the update's shape when first asked for (undefined too: it cannot be one statement). */
function madeOnce<T>(made: Map<OutcomeColumn, T | undefined>, entry: UpdateEntry, options: UpdateOptions, column: OutcomeColumn, make: (shape: InstanceUpdateShape, column: OutcomeColumn) => T | undefined): T | undefined {
  if (!made.has(column)) {
    const shape = { columns: entry.columns, leased: options.leaseToken !== undefined, announced: options.announce !== undefined, unchangedSince: options.unchangedSince !== undefined };
    made.set(column, make(shape, column));
  }
  return made.get(column);
}

function shownOf(row: ShownRow, secretName: string): InstanceWithSecret {
  const secret = row.secret_envelope === null ? null : toSecretRow({ owner_id: row.id, name: secretName, envelope: row.secret_envelope, key_id: row.secret_key_id!, updated_at: row.secret_updated_at! });
  return { instance: toInstance(row), secret };
}

/** The write's events when they are one outcome event of the written instance (measures-projection.ts, outcomeOnly), and its outcome column. */
function loneOutcome(events: readonly NewEvent[] | undefined, id: string): { event: NewEvent; column: OutcomeColumn } | undefined {
  if (events === undefined || events.length !== 1 || events[0]!.instanceId !== id) return undefined;
  const column = outcomeOnly(events[0]!);
  return column === undefined ? undefined : { event: events[0]!, column };
}

/** The claimed rows, every column and whether the instance's secrets are stored, in the claim's order. */
function claimedRead(executor: Kysely<Database>, ...ids: string[]) {
  return selectInstances(executor)
    .select((eb) => eb.exists(eb.selectFrom('secrets').select('secrets.owner_id').whereRef('secrets.owner_id', '=', 'instances.id')).as('secrets_stored'))
    .where('instances.id', 'in', ids).orderBy('instances.due_at').orderBy('instances.seq');
}
const compiledClaimedRead = () => compiledRead(claimedRead);
/** Claims of up to this many rows keep their compiled read (claimedRows). */
const KEPT_CLAIM_SIZES = 256;

/**
 * The store as the engine's work queue. A worker claims due rows with a lease (owner, random
 * token, expiry); every later write of that pass is guarded by `id AND lease_token`, so a
 * worker whose lease was taken over finds 0 rows and gets 'lost-lease' instead of
 * overwriting the new owner's work.
 */
export function engineQueueRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;
  // Shared with the create (instances.ts): a row inserted already claimed is held from its commit.
  const held = ctx.heldRows;

  /** Rows that may be claimed at `now`: due, and not under a live lease. */
  const claimable = (now: number) =>
    db
      .selectFrom('instances')
      .select('id')
      .where('due_at', '<=', now)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]));

  /**
   * What recordStatus reads of the row a pass writes, locked; compiled once (compiled.ts), as
   * every pass reads it twice. Only these columns: the whole row is some forty values to make
   * into an object, and a statement that names its columns is prepared once a connection on
   * PostgreSQL (preparedName), which a `select *` is not.
   */
  const leasedRow = compiledRead((executor, id: string, leaseToken: string) =>
    adapter.forUpdate(executor.selectFrom('instances').select(LEASED_ROW_COLUMNS).where('id', '=', id).where('lease_token', '=', leaseToken)));

  /**
   * recordStatus's decision and writes, from `row` as read under the lock, or as held
   * (`unchangedSince`: its status hash): then every update is guarded by it, and undefined
   * means it changed no row (the caller reads the row and decides again).
   */
  async function writeStatus(trx: Kysely<Database>, id: string, leaseToken: string, write: StatusWrite, row: LeasedRow, unchangedSince?: string, oneStatement = false): Promise<StatusWritten | undefined> {
    // The status's text, made once for its hash and its column (statusHashOf); the outputs kept as the row has them when the write gives none.
    const outputs = write.outputs ?? (JSON.parse(row.outputs) as Record<string, string>);
    const outputsJson = write.outputs === undefined ? row.outputs : JSON.stringify(outputs);
    const statusJson = JSON.stringify(write.status);
    const observedGeneration = write.observedGeneration ?? Number(row.observed_generation);
    const hash = statusHashOf(statusJson, canonicalJson(outputs), observedGeneration);
    const engine: Updateable<InstancesTable> & ReturnType<typeof engineColumns> = engineColumns(write.engine);
    // A spec change or delete request that landed during this pass keeps the instance due
    // now, whatever next-check time the pass computed from the state it started with.
    if (Number(row.generation) > Number(row.claimed_generation) || Number(row.desired_rotation) > Number(row.claimed_desired_rotation)) {
      if (engine.due_at !== undefined) engine.due_at = Math.min(engine.due_at, ctx.now());
      else if (write.releaseLease) engine.due_at = Math.min(Number(row.due_at), ctx.now());
    }
    // Credential changes are visible (Instance.credentials) and carry events: never "unchanged".
    const rotationMoved = ROTATION_COLUMNS.some((column) => engine[column] !== undefined && engine[column] !== (row[column] === null ? null : Number(row[column])));
    const after = rowAfter(row, engine);
    if (write.releaseLease) Object.assign(engine, RELEASED);
    const guard = unchangedSince === undefined ? {} : { leaseToken, unchangedSince };
    if (!rotationMoved && sameStatusHash(row.status_hash, hash, () => [write.status, outputs, observedGeneration])) {
      // Nothing the user sees changed; engine bookkeeping (next due time, attempts) still moves.
      if (Object.keys(engine).length > 0) {
        const updated = await updateInstance(trx, id, engine, guard);
        if (unchangedSince !== undefined && updated === 0) return undefined;
      } else if (unchangedSince !== undefined) {
        return undefined; // nothing to write, so nothing would say the held row is still the row
      }
      return { outcome: 'unchanged', row: after };
    }
    const at = ctx.iso();
    // Announced by the update itself where the dialect can (a round trip less on PostgreSQL).
    const change = { instanceId: id, teamId: row.team_id };
    const announcing = adapter.announcing;
    // Into the engine columns (this write's own object) rather than a copy of them.
    const set: Updateable<InstancesTable> = engine;
    set.status = statusJson;
    set.outputs = outputsJson;
    set.observed_generation = observedGeneration;
    set.status_hash = hash;
    set.updated_at = at;
    // Made as it is, not spread from the guard's (two spreads a write were ~0.4 % of a PostgreSQL worker).
    const options: UpdateOptions = unchangedSince === undefined ? {} : { leaseToken, unchangedSince };
    if (announcing !== undefined) options.announce = { announcing, payload: announcing.announcement(change) };
    // A lone outcome event (the Ready, a Failed) rides in the update's statement on PostgreSQL, where the update announces.
    const outcomeEvent = announcing === undefined ? undefined : loneOutcome(write.events, id);
    let shown: InstanceWithSecret | undefined;
    let withOutcome: Promise<number> | undefined;
    if (outcomeEvent !== undefined) {
      const values = eventAndOutcomeValues(at, outcomeEvent.event);
      // Alone, the statement may also answer the instance as it commits it (StatusWrite.shownWithSecret), for a watcher in this process.
      const shownWith = oneStatement ? write.shownWithSecret : undefined;
      const ride = shownWith === undefined ? undefined : rideFor(ctx.readyRiders, id, write, outcomeEvent.event, outputs);
      const answering = shownWith === undefined ? undefined : updateInstanceWithOutcomeShown(trx, id, set, options, outcomeEvent.column, values, shownWith, ride);
      withOutcome = answering?.then((committed) => {
        shown = committed;
        return committed === undefined ? 0 : 1;
      }) ?? updateInstanceWithOutcome(trx, id, set, options, outcomeEvent.column, values);
    }
    // Run alone (writeAlone), a write that would take two statements is not made there: nothing was sent.
    if (oneStatement && withOutcome === undefined) return undefined;
    const updated = await (withOutcome ?? updateInstance(trx, id, set, options));
    if (unchangedSince !== undefined && updated === 0) return undefined;
    if (withOutcome === undefined) for (const event of write.events ?? []) await writeEvent(trx, at, event);
    // SQLite announces nothing (no other process listens): no call, no promise to wait for.
    if (announcing === undefined && adapter.dialect !== 'sqlite') await adapter.announce(trx, change);
    // A part's visible change is its composite parent's business (composition, 0006).
    const parent = row.parent_id === null ? undefined : await wakeParent(ctx, trx, row.parent_id);
    return {
      outcome: 'changed', teamId: row.team_id, ...(parent === undefined ? {} : { parent }), ...(shown === undefined ? {} : { shown }),
      // `after` is this write's own copy: kept as it is, with what the write changed.
      row: Object.assign(after, { status_hash: hash, outputs: outputsJson, observed_generation: observedGeneration }),
    };
  }

  /**
   * SQLite's claim, in its immediate transaction (which excludes other claimers): due rows without
   * a live lease, earliest first, leased to `owner`. Compiled once (compiled.ts), as the read of
   * their rows below is once per number of rows: built with Kysely at every claim (a 64-row `in`
   * list, joins, a subquery) it was about 3 % of the engine's CPU time at 20,000 instances.
   */
  const claimRows = compiledRead((executor, owner: string, leaseToken: string, leaseExpiresAt: number, now: number, limit: number) => executor
    .updateTable('instances')
    .set((eb) => ({ lease_owner: owner, lease_token: leaseToken, lease_expires_at: leaseExpiresAt, claimed_generation: eb.ref('generation'), claimed_desired_rotation: eb.ref('desired_rotation') }))
    .where('id', 'in', claimable(now).orderBy('due_at').orderBy('seq').limit(limit))
    .returning('id'));

  /**
   * The claimed rows' reads, by the number of rows claimed, each compiled once: the engine claims
   * at most its concurrency (64 by default), so a few dozen sizes. A larger claim is compiled
   * at each use, as every claim was before, rather than kept.
   */
  const claimedReads = new Map<number, ReturnType<typeof compiledClaimedRead>>();
  const claimedRows = (count: number) => {
    if (count > KEPT_CLAIM_SIZES) return compiledClaimedRead();
    let read = claimedReads.get(count);
    if (read === undefined) claimedReads.set(count, (read = compiledClaimedRead()));
    return read;
  };

  const leaseMatches = (executor: Kysely<Database>, id: string, leaseToken: string) =>
    executor.selectFrom('instances').select('team_id').where('id', '=', id).where('lease_token', '=', leaseToken);

  return {
    async claimDue(input: { owner: string; leaseMs: number; limit: number }): Promise<ClaimedInstance[]> {
      if (input.limit < 1) return [];
      const now = ctx.now();
      const leaseToken = randomUUID();
      const leaseExpiresAt = now + input.leaseMs;
      // PostgreSQL's claim is one statement, without a transaction (claim-statement.ts); SQLite's, within its immediate transaction.
      const rows = adapter.dialect === 'postgres' ? await claimInOneStatement(db, { owner: input.owner, leaseToken, leaseExpiresAt, now, limit: input.limit }) : await adapter.transaction(async (trx) => {
        const claimed = await claimRows(trx, input.owner, leaseToken, leaseExpiresAt, now, input.limit);
        if (claimed.length === 0) return [];
        return claimedRows(claimed.length)(trx, ...claimed.map((r) => r.id));
      });
      for (const row of rows) held.keep(row.id, leaseToken, heldRowOf(row));
      return rows.map((row) => ({
        instance: toInstance(row), engine: toEngineState(row), leaseToken, leaseExpiresAt, secretsStored: row.secrets_stored === true || Number(row.secrets_stored) === 1,
      }));
    },

    async renewLease(id: string, leaseToken: string, leaseMs: number): Promise<'changed' | 'lost-lease'> {
      const renewed = await adapter.write((executor) => renewLease(executor, id, leaseToken, ctx.now() + leaseMs));
      return renewed.length === 1 ? 'changed' : 'lost-lease';
    },

    async recordEngineState(id: string, leaseToken: string, engine: Partial<EngineState>): Promise<WriteOutcome> {
      const set = engineColumns(engine);
      if (Object.keys(set).length === 0) {
        return (await leaseMatches(db, id, leaseToken).executeTakeFirst()) ? 'unchanged' : 'lost-lease';
      }
      // The rotation columns may move: the next status write reads the row.
      held.forget(id);
      const updated = await adapter.write((executor) => updateInstance(executor, id, set, { leaseToken }));
      return updated === 1 ? 'changed' : 'lost-lease';
    },

    async recordStatus(id: string, leaseToken: string, write: StatusWrite): Promise<WriteOutcome> {
      const known = held.get(id, leaseToken);
      // A held row's outcome (a Ready, a Failed: the update with its event, one statement on
      // PostgreSQL) goes at once, committing by itself, when no other write is under way
      // (writeAlone); it is as atomic and as guarded as in a shared transaction. Should its guard
      // refuse it (it then changed nothing), the row is read under its lock and written, as below.
      // Only for the one pass this process holds (a request's own, on the path to its credentials):
      // with other passes under way (the engine under load) their writes share commits, where
      // commits of one write each cost the server a WAL flush apiece (bench/README §1 round 14).
      // Changes told so far: the write's committed instance goes with its change only if none was told while it was out (InstanceChangeTold.committed).
      const toldBefore = ctx.feed.told;
      const alone = known !== undefined && held.size === 1 && known.parent_id === null && loneOutcome(write.events, id) !== undefined
        ? adapter.writeAlone?.((executor) => writeStatus(executor, id, leaseToken, write, known, known.status_hash, true))
        : undefined;
      const aloneWritten = alone === undefined ? undefined : await alone;
      // Locks this worker's leased row (and a composite parent's when waking it): may share a commit.
      const outcome = aloneWritten ?? await adapter.write(async (trx): Promise<StatusWritten> => {
        // First as the row was when this pass last wrote it (or claimed it), without reading it:
        // the update then changes no row if anything changed it since, and it is read as always.
        const guessed = known === undefined || alone !== undefined ? undefined : await writeStatus(trx, id, leaseToken, write, known, known.status_hash);
        if (guessed !== undefined) return guessed;
        const [row] = await leasedRow(trx, id, leaseToken);
        if (!row) return { outcome: 'lost-lease' };
        return (await writeStatus(trx, id, leaseToken, write, row))!;
      });
      if (outcome.outcome === 'lost-lease' || write.releaseLease) held.forget(id);
      else if (outcome.row !== undefined) held.keep(id, leaseToken, outcome.row);
      if (outcome.teamId !== undefined) {
        const committed = outcome.shown === undefined || ctx.feed.told !== toldBefore ? undefined : { ...outcome.shown, secretName: write.shownWithSecret! };
        ctx.feed.emit({ instanceId: id, teamId: outcome.teamId }, committed);
      }
      if (outcome.parent !== undefined) ctx.feed.emit(outcome.parent);
      return outcome.outcome;
    },

    // Only where a Ready can be one statement alone (PostgreSQL's writeAlone): elsewhere nothing would ask.
    rideOnReady: adapter.writeAlone === undefined ? undefined : (instanceId: string, rider: ReadyRider): (() => void) => {
      ctx.readyRiders.set(instanceId, rider);
      return () => {
        if (ctx.readyRiders.get(instanceId) === rider) ctx.readyRiders.delete(instanceId);
      };
    },

    async releaseLease(id: string, leaseToken: string): Promise<void> {
      held.forget(id);
      await adapter.write((executor) => releaseLease(executor, id, leaseToken, ctx.now()));
    },

    async forgetInstance(id: string, leaseToken: string): Promise<WriteOutcome> {
      held.forget(id);
      const forgotten = await adapter.transaction(async (trx) => {
        const row = await trx.deleteFrom('instances').where('id', '=', id).where('lease_token', '=', leaseToken).returning(['team_id', 'name', 'parent_id']).executeTakeFirst();
        if (!row) return undefined;
        await trx.deleteFrom('secrets').where('owner_id', '=', id).execute();
        // The history stays: events have no foreign key to the instance.
        await insertEvent(trx, ctx.iso(), { kind: 'instance.deleted', teamId: row.team_id, instanceId: id, data: { name: row.name } });
        await adapter.announce(trx, { instanceId: id, teamId: row.team_id });
        // A composite waiting for its parts to go is told at once (composition, 0006).
        const parent = row.parent_id === null ? undefined : await wakeParent(ctx, trx, row.parent_id);
        return { teamId: row.team_id, parent };
      });
      if (forgotten === undefined) return 'lost-lease';
      ctx.feed.emit({ instanceId: id, teamId: forgotten.teamId });
      if (forgotten.parent !== undefined) ctx.feed.emit(forgotten.parent);
      return 'changed';
    },

    /** Earliest dueAt among instances without a live lease (leased ones are their worker's business). */
    async nextDueAt(): Promise<number | undefined> {
      const [row] = await nextDue(db, ctx.now());
      return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
    },
  };
}
