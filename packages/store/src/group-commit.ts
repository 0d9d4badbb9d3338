import { CompiledQuery, type Kysely } from '#kysely';
import type { Database } from './schema.js';

/**
 * Writes that arrive together go into one transaction: a commit costs more than most writes'
 * own statements (SQLite writes the pages to its WAL and checkpoints; PostgreSQL waits for the
 * WAL flush), so under load writes share commits. Webhook deliveries use it on both dialects,
 * and every SQLite transaction goes through it (dialect/sqlite.ts). A batch waits one turn of
 * the event loop and no more: the writes whose requests were already received join it, later
 * ones form the next batch. Each write runs in a savepoint of its own, so one that fails is
 * undone alone and gets its own error; the others commit. Each is answered only after the commit.
 */
export interface GroupedWrite<I, O> {
  /** `items`: the batch's writes, for a transaction whose commit depends on them (PostgreSQL's flushedLater, dialect/flushed-later.ts). */
  transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>, items: readonly I[]): Promise<T>;
  /** Runs first in each batch's transaction (to take its locks in one order, so batches of two processes never deadlock). */
  prepare?(trx: Kysely<Database>, items: readonly I[]): Promise<void>;
  apply(trx: Kysely<Database>, item: I): Promise<O>;
  /**
   * How many batches may be in their transactions at once (1 unless said): more where the
   * database runs transactions side by side (PostgreSQL's pool), so that a batch waiting for
   * the network or a commit does not hold up the next. Writes of one batch never wait for
   * another's, as long as they lock only rows their caller owns.
   */
  parallel?: number;
  /** Told each write that committed. */
  committed?(item: I): void;
  /**
   * Savepoints only after a failure: a batch first runs without them and, should one of its
   * writes fail, is rolled back and run again, each write in its savepoint. For writes that
   * rarely fail and touch only the database (run again, they do the same), where a savepoint
   * costs a round trip each way (PostgreSQL: two of a pass's five) or two statements of a
   * pass's seventeen (SQLite). `apply` must then be safe to run twice for an item whose first
   * run was rolled back. A function says it per item: the others (SQLite's transactions, whose
   * callers may keep what they saw) run first, each in its savepoint as before, and never run
   * again; the rest follow under one savepoint of the batch, to which a failure rolls back.
   */
  savepointsAfterFailure?: boolean | ((item: I) => boolean);
  /**
   * Writes that run again after a failure (savepointsAfterFailure) start together in their
   * batch's first run instead of one after another, for a transaction whose connection pipelines
   * them (PostgreSQL, dialect/postgres-pipeline.ts): their statements go out in one flight. They
   * must not depend on each other's effects (the engine's lock only rows their own lease holds).
   * Should one fail, the batch waits for the others to settle before it rolls back and runs them
   * again, one after another, each in its savepoint, as without this.
   */
  concurrent?: boolean;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
  outcome?: { ok: true; value: O } | { ok: false; error: unknown };
}

const MAX_BATCH = 64;
const SAVEPOINT = CompiledQuery.raw('savepoint paved_write');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint paved_write');
const RELEASE = CompiledQuery.raw('release savepoint paved_write');
const SAVEPOINT_BATCH = CompiledQuery.raw('savepoint paved_batch');
const ROLLBACK_TO_BATCH = CompiledQuery.raw('rollback to savepoint paved_batch');
const RELEASE_BATCH = CompiledQuery.raw('release savepoint paved_batch');

/** A group commit's writer, and whether it is idle: no write queued, no batch in its transaction. */
export type GroupCommit<I, O> = ((item: I) => Promise<O>) & { idle(): boolean };

export function groupCommit<I, O>(write: GroupedWrite<I, O>): GroupCommit<I, O> {
  const queue: Pending<I, O>[] = [];
  const parallel = write.parallel ?? 1;
  const all = write.savepointsAfterFailure;
  const rerunnable: ((item: I) => boolean) | undefined = all === true ? () => true : typeof all === 'function' ? all : undefined;
  let flushing = 0;

  async function flush(): Promise<void> {
    flushing++;
    try {
      while (queue.length > 0) {
        // One turn of the event loop, so requests already received reach the queue: on SQLite a
        // transaction runs without yielding to I/O, so nothing else could join it otherwise.
        await new Promise((resolve) => setImmediate(resolve));
        const batch = queue.splice(0, MAX_BATCH);
        if (batch.length === 0) break; // a parallel flush took them
        const optimistic = rerunnable !== undefined && batch.length > 1 ? batch.filter((p) => rerunnable(p.item)) : [];
        const once = optimistic.length === 0 ? batch : batch.filter((p) => !rerunnable!(p.item));
        const inSavepoint = async (trx: Kysely<Database>, pending: Pending<I, O>) => {
          await trx.executeQuery(SAVEPOINT);
          try {
            pending.outcome = { ok: true, value: await write.apply(trx, pending.item) };
          } catch (error) {
            await trx.executeQuery(ROLLBACK_TO);
            pending.outcome = { ok: false, error };
          }
          await trx.executeQuery(RELEASE);
        };
        const run = (savepoints: boolean) => write.transaction(async (trx) => {
          await write.prepare?.(trx, batch.map((p) => p.item));
          if (!savepoints && once.length === 0 && write.concurrent && batch.length > 1) {
            const settled = await Promise.allSettled(batch.map((pending) => write.apply(trx, pending.item)));
            const failed = settled.find((outcome) => outcome.status === 'rejected');
            if (failed !== undefined) throw failed.reason;
            settled.forEach((outcome, i) => { batch[i]!.outcome = { ok: true, value: (outcome as PromiseFulfilledResult<O>).value }; });
            return;
          }
          // Alone in its batch, a write needs no savepoint: its failure undoes the transaction, which holds nothing else.
          if (batch.length === 1 || (!savepoints && once.length === 0)) {
            for (const pending of batch) pending.outcome = { ok: true, value: await write.apply(trx, pending.item) };
            return;
          }
          for (const pending of once) await inSavepoint(trx, pending);
          if (once === batch) return;
          if (savepoints) {
            for (const pending of optimistic) await inSavepoint(trx, pending);
            return;
          }
          // The writes that may run again, under one savepoint: a failure undoes them all, and they run again each in its own.
          await trx.executeQuery(SAVEPOINT_BATCH);
          try {
            for (const pending of optimistic) pending.outcome = { ok: true, value: await write.apply(trx, pending.item) };
          } catch {
            await trx.executeQuery(ROLLBACK_TO_BATCH);
            for (const pending of optimistic) {
              delete pending.outcome;
              await inSavepoint(trx, pending);
            }
          }
          await trx.executeQuery(RELEASE_BATCH);
        }, batch.map((p) => p.item));
        try {
          try {
            await run(optimistic.length === 0);
          } catch (error) {
            // Only a batch of writes that may all run again fails whole here (the mixed one rolled back to its savepoint).
            if (optimistic.length === 0 || once.length > 0) throw error;
            // Rolled back whole: again, each write in its savepoint, so only the failing one fails.
            for (const pending of batch) delete pending.outcome;
            await run(true);
          }
        } catch (error) {
          for (const pending of batch) pending.reject(error);
          continue;
        }
        for (const pending of batch) {
          if (pending.outcome?.ok) {
            write.committed?.(pending.item);
            pending.resolve(pending.outcome.value);
          } else {
            pending.reject(pending.outcome?.error);
          }
        }
      }
    } finally {
      flushing--;
    }
  }

  const writer = (item: I) => new Promise<O>((resolve, reject) => {
    queue.push({ item, resolve, reject });
    if (flushing < parallel) void flush();
  });
  return Object.assign(writer, { idle: () => queue.length === 0 && flushing === 0 });
}
