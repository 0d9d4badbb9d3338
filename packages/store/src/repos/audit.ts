import { sql, type Kysely, type Selectable } from '#kysely';
import type { AuditCheckpoint, AuditEntry, AuditRecord, AuditResult, AuditSource, AuditStage, Page } from '@paved/model';
import { flushedLaterCondition } from '../dialect/flushed-later.js';
import type { StoreContext } from '../context.js';
import type { AuditCheckpointsTable, AuditLogTable, Database } from '../schema.js';
import type { AuditRecordFilter, AuditSealer, WriteOptions } from '../types.js';
import { decodeCursor, encodeCursor, pageLimit } from '../cursor.js';
import { compiledRead } from '../compiled.js';

/** The columns of a record, in the order the compiled insert binds them. */
const AUDIT_COLUMNS = [
  'seq', 'at', 'stage', 'request_id', 'actor', 'token_id', 'action', 'team', 'target', 'result', 'status', 'code', 'source', 'summary',
  'prev_hash', 'hash', 'key_id', 'signature',
] as const satisfies readonly (keyof AuditLogTable)[];

// SQLite's append (two statements under the head's lock): compiled once (compiled.ts) rather than built and compiled by Kysely for each.
const auditRow = (db: Kysely<Database>, values: readonly unknown[]) => db
  .insertInto('audit_log')
  .values(Object.fromEntries(AUDIT_COLUMNS.map((column, i) => [column, values[i]])) as unknown as AuditLogTable);
const insertAuditRow = compiledRead((db, ...values: unknown[]) => auditRow(db, values));
const moveAuditHead = compiledRead((db, seq: number, hash: string) => db.updateTable('audit_head').set({ seq, hash }).where('id', '=', 1));
/**
 * PostgreSQL's append without a transaction, from the head this store last saw: one statement,
 * one round trip and one commit for `rows` records that arrived together (a create's stream
 * starts the reveal's `received` record and the create's `completed` one at once), where BEGIN,
 * the head's lock, the append and COMMIT were four a record. The head moves only if it is still
 * the one the first record was sealed on (`prevSeq`, `prevHash`), to the last record's seq and
 * hash, and each record takes its seq from that move: if another writer (another process,
 * another store object) moved the head first, the update moves nothing, every seq is null, and
 * the insert fails on the NOT NULL of the key with nothing written (one statement is atomic). A
 * concurrent writer's update is waited for, then the condition is checked again on the row it
 * left (READ COMMITTED's rule for UPDATE), so two appends can never both follow the same head.
 * SQLite keeps the locked path: a statement there is no round trip. One compiled statement per
 * number of records (up to MAX_BATCH).
 */
const appendAfterHeadFor = new Map<string, ReturnType<typeof appendAfterHeadOf>>();
const appendAfterHeadOf = (rows: number, flushedLater: boolean) => compiledRead((db, prevSeq: number, prevHash: string, seq: number, hash: string, ...values: unknown[]) => db
  .with('moved', (qc) => qc.updateTable('audit_head').set({ seq, hash })
    .where('id', '=', 1).where('seq', '=', prevSeq).where('hash', '=', prevHash)
    // Records that are all flushed by a later commit on their path (dialect/flushed-later.ts).
    .$if(flushedLater, (qb) => qb.where(flushedLaterCondition()))
    .returning('seq'))
  .insertInto('audit_log')
  .values(Array.from({ length: rows }, (_, row) => ({
    ...Object.fromEntries(AUDIT_COLUMNS.slice(1).map((column, i) => [column, values[row * (AUDIT_COLUMNS.length - 1) + i]])),
    // The last record is the head's; the ones before it count back from there.
    seq: rows - 1 - row === 0 ? sql`(select "seq" from "moved")` : sql`(select "seq" from "moved") - ${sql.lit(rows - 1 - row)}`,
  }) as unknown as AuditLogTable)));
function appendAfterHead(rows: number, flushedLater: boolean) {
  const key = `${rows}${flushedLater ? ' flushed later' : ''}`;
  let statement = appendAfterHeadFor.get(key);
  if (statement === undefined) appendAfterHeadFor.set(key, statement = appendAfterHeadOf(rows, flushedLater));
  return statement;
}
/** The most records one PostgreSQL append statement carries; more waiting go in the next. */
const MAX_BATCH = 16;
/** PostgreSQL's not_null_violation: appendAfterHead's head had moved. */
const headMoved = (error: unknown) => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23502';

/**
 * The audit log (docs/audit.md): an append-only chain. This module knows where a record goes
 * and keeps appends in one order; the hashing and signing come from the caller (`seal`), which
 * holds the key. Nothing here updates or deletes a record.
 */
export function auditRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;
  const lockedHead = compiledRead((trx, id: number) => adapter.forUpdate(trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', id)));
  /** The head as this store's last append left it (PostgreSQL): what the next one is sealed on. */
  let knownHead: { seq: number; hash: string } | undefined;
  /** PostgreSQL: appends asked for and not yet taken by a batch, in the order they were asked. */
  let waiting: WaitingAppend[] = [];
  let appends: Promise<void> = Promise.resolve();

  /** The record that follows `head`, sealed; `at` is taken after the head was read or written. */
  function sealAfter(head: { seq: number; hash: string }, entry: Omit<AuditEntry, 'at'>, seal: AuditSealer) {
    const full: AuditEntry = { at: ctx.iso(), ...entry };
    const seq = head.seq + 1;
    const record: AuditRecord = { ...full, seq, prevHash: head.hash, ...seal({ seq, prevHash: head.hash, entry: full }) };
    const row = toRow(record);
    return { record, values: AUDIT_COLUMNS.map((column) => row[column]) };
  }

  /**
   * SQLite: the head read, the record appended and the head moved, as a write (adapter.write)
   * that may run again: it touches only the database, and run again it reads the head again and
   * seals anew, so a failure elsewhere in its commit costs nothing but the rerun. A transaction
   * there would take two savepoint statements, and the commit's other writes one more pair
   * (group-commit.ts), whenever it shares a commit with them, as a create's stream's records
   * share the engine's intent record (bench/README.md §1, round 9).
   */
  function appendLocked(entry: Omit<AuditEntry, 'at'>, seal: AuditSealer): Promise<AuditRecord> {
    return adapter.write(async (trx) => {
      const found = await headUnderLock(trx);
      // The time is taken under the lock, so that `at` never goes backwards along the chain.
      const { record, values } = sealAfter(found, entry, seal);
      await insertAuditRow(trx, ...values);
      await moveAuditHead(trx, record.seq, record.hash);
      return record;
    });
  }

  async function headUnderLock(trx: Kysely<Database>): Promise<{ seq: number; hash: string }> {
    const [found] = await lockedHead(trx, 1);
    if (found === undefined) throw new Error('the audit log has no head row (migration 0009)');
    return { seq: Number(found.seq), hash: found.hash };
  }

  /**
   * `batch` sealed in its order after `head`, each record on the one before it. One whose sealing
   * fails is refused at once and left out: the next follows the record before it.
   */
  function sealBatch(head: { seq: number; hash: string }, batch: readonly WaitingAppend[]): SealedAppend[] {
    const sealed: SealedAppend[] = [];
    let previous = head;
    for (const asked of batch) {
      try {
        const { record, values } = sealAfter(previous, asked.entry, asked.seal);
        sealed.push({ asked, record, values });
        previous = record;
      } catch (error) {
        asked.reject(error);
      }
    }
    return sealed;
  }

  /** `sealed` (records following `head`, in order) written and the head moved to the last, in one statement. */
  async function writeAfter(on: Kysely<Database>, head: { seq: number; hash: string }, sealed: readonly SealedAppend[]): Promise<void> {
    const last = sealed.at(-1)!.record;
    const flushedLater = sealed.every(({ asked }) => asked.flushedLater);
    await appendAfterHead(sealed.length, flushedLater)(on, head.seq, head.hash, last.seq, last.hash, ...sealed.flatMap(({ values }) => values.slice(1)));
  }

  /**
   * PostgreSQL: the appends of `batch` in one statement after the head this store last left
   * (appendAfterHead), no transaction; under the head's lock in a transaction when there is none
   * yet or another writer moved it since, and then sealed again on the head found. `at` stays in
   * order along the chain: the head's own record was committed (or is locked) before the first
   * one's time is taken, and each record's is taken after the one before it. Settles every
   * append of the batch; never throws.
   */
  async function appendBatch(batch: readonly WaitingAppend[]): Promise<void> {
    const head = knownHead;
    knownHead = undefined; // until this batch is known to have moved it
    let unwritten = batch;
    if (head !== undefined) {
      const sealed = sealBatch(head, batch);
      if (sealed.length === 0) {
        knownHead = head;
        return;
      }
      try {
        await writeAfter(db, head, sealed);
        knownHead = sealed.at(-1)!.record;
        for (const { asked, record } of sealed) asked.resolve(record);
        return;
      } catch (error) {
        if (!headMoved(error)) {
          for (const { asked } of sealed) asked.reject(error);
          return;
        }
      }
      unwritten = sealed.map(({ asked }) => asked);
    }
    try {
      const { found, sealed } = await adapter.transaction(async (trx) => {
        const found = await headUnderLock(trx);
        // Sealed under the lock, so that `at` never goes backwards along the chain.
        const sealed = sealBatch(found, unwritten);
        if (sealed.length > 0) await writeAfter(trx, found, sealed);
        return { found, sealed };
      });
      knownHead = sealed.at(-1)?.record ?? found;
      for (const { asked, record } of sealed) asked.resolve(record);
    } catch (error) {
      for (const asked of unwritten) asked.reject(error); // those refused already stay refused
    }
  }

  /** The appends waiting, up to MAX_BATCH of them, then (after them) the rest. */
  function appendWaiting(): Promise<void> {
    const batch = waiting.slice(0, MAX_BATCH);
    waiting = waiting.slice(MAX_BATCH);
    // appendBatch settles every append itself; should it throw all the same, none is left waiting
    // and the appends after it still run.
    const done = appendBatch(batch).catch((error: unknown) => {
      for (const asked of batch) asked.reject(error);
    });
    return waiting.length > 0 ? done.then(appendWaiting) : done;
  }

  return {
    appendAuditRecord(entry: Omit<AuditEntry, 'at'>, seal: AuditSealer, options?: WriteOptions): Promise<AuditRecord> {
      if (adapter.dialect !== 'postgres') return appendLocked(entry, seal);
      const flushedLater = options?.flushedLater === true;
      // This store's appends go one batch after another, so that each follows the head the one
      // before it left and the one-statement append finds the head where it expects it. Appends
      // asked for while a batch is written, or in the same turn (a create's stream asks for two
      // at once, status-stream.ts), go together in the next batch: one statement and one commit.
      return new Promise<AuditRecord>((resolve, reject) => {
        waiting.push({ entry, seal, flushedLater, resolve, reject });
        if (waiting.length === 1) appends = appends.then(appendWaiting);
      });
    },

    async listAuditRecords(filter: AuditRecordFilter): Promise<Page<AuditRecord>> {
      const limit = pageLimit(filter.limit);
      if (filter.teams && filter.teams.length === 0) return { items: [] };
      let query = db.selectFrom('audit_log as a').selectAll('a')
        // One line per request: its `received` record only while no `completed` one follows.
        .where((eb) => eb.or([
          eb('a.stage', '!=', 'received'),
          eb.not(eb.exists(eb.selectFrom('audit_log as c').select('c.seq').whereRef('c.request_id', '=', 'a.request_id').where('c.stage', '=', 'completed'))),
        ]));
      if (filter.since !== undefined) query = query.where('a.at', '>=', filter.since);
      if (filter.until !== undefined) query = query.where('a.at', '<', filter.until);
      if (filter.actor !== undefined) query = query.where('a.actor', '=', filter.actor);
      if (filter.action !== undefined) query = query.where('a.action', '=', filter.action);
      if (filter.teams !== undefined) query = query.where('a.team', 'in', filter.teams);
      if (filter.cursor !== undefined) {
        const [seq] = decodeCursor(filter.cursor, ['number']);
        query = query.where('a.seq', '<', seq as number);
      }
      const rows = await query.orderBy('a.seq', 'desc').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toRecord);
      const last = items.at(-1);
      return rows.length > limit && last ? { items, nextCursor: encodeCursor([last.seq]) } : { items };
    },

    async readAuditRecords(filter: { afterSeq: number; limit: number; team?: string }): Promise<AuditRecord[]> {
      let query = db.selectFrom('audit_log').selectAll().where('seq', '>', filter.afterSeq);
      if (filter.team !== undefined) query = query.where('team', '=', filter.team);
      const rows = await query.orderBy('seq').limit(filter.limit).execute();
      return rows.map(toRecord);
    },

    async auditHead(): Promise<{ seq: number; hash: string }> {
      const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
      return { seq: Number(head.seq), hash: head.hash };
    },

    async putAuditCheckpoint(checkpoint: AuditCheckpoint): Promise<boolean> {
      const result = await db
        .insertInto('audit_checkpoints')
        .values({ seq: checkpoint.seq, hash: checkpoint.hash, at: checkpoint.at, key_id: checkpoint.keyId, signature: checkpoint.signature })
        .onConflict((oc) => oc.column('seq').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async listAuditCheckpoints(): Promise<AuditCheckpoint[]> {
      const rows = await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
      return rows.map(toCheckpoint);
    },
  };
}

/** An append asked of this store and not yet settled (PostgreSQL). */
interface WaitingAppend {
  entry: Omit<AuditEntry, 'at'>;
  seal: AuditSealer;
  /** Flushed by a later commit on its path (dialect/flushed-later.ts). */
  flushedLater: boolean;
  resolve(record: AuditRecord): void;
  reject(error: unknown): void;
}

interface SealedAppend {
  asked: WaitingAppend;
  record: AuditRecord;
  /** The row's values, in AUDIT_COLUMNS' order. */
  values: unknown[];
}

/** Parts a record does not have are null, so that reading a row gives back exactly what was hashed. */
function toRow(record: AuditRecord): AuditLogTable {
  const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
  return {
    seq: record.seq,
    at: record.at,
    stage: record.stage,
    request_id: record.requestId ?? null,
    actor: record.actor,
    token_id: record.tokenId ?? null,
    action: record.action,
    team: record.team ?? null,
    target: json(record.target),
    result: record.outcome?.result ?? null,
    status: record.outcome?.status ?? null,
    code: record.outcome?.code ?? null,
    source: json(record.source),
    summary: json(record.summary),
    prev_hash: record.prevHash,
    hash: record.hash,
    key_id: record.keyId,
    signature: record.signature,
  };
}

function toRecord(row: Selectable<AuditLogTable>): AuditRecord {
  const record: AuditRecord = {
    seq: Number(row.seq),
    at: row.at,
    stage: row.stage as AuditStage,
    actor: row.actor,
    action: row.action,
    prevHash: row.prev_hash,
    hash: row.hash,
    keyId: row.key_id,
    signature: row.signature,
  };
  if (row.request_id !== null) record.requestId = row.request_id;
  if (row.token_id !== null) record.tokenId = row.token_id;
  if (row.team !== null) record.team = row.team;
  if (row.target !== null) record.target = JSON.parse(row.target) as Record<string, string>;
  if (row.result !== null && row.status !== null) {
    record.outcome = { result: row.result as AuditResult, status: Number(row.status), ...(row.code === null ? {} : { code: row.code }) };
  }
  if (row.source !== null) record.source = JSON.parse(row.source) as AuditSource;
  if (row.summary !== null) record.summary = JSON.parse(row.summary) as Record<string, unknown>;
  return record;
}

function toCheckpoint(row: Selectable<AuditCheckpointsTable>): AuditCheckpoint {
  return { seq: Number(row.seq), hash: row.hash, at: row.at, keyId: row.key_id, signature: row.signature };
}
