import { sql } from '#kysely';

/**
 * A commit "flushed by a later commit on its path": PostgreSQL's asynchronous commit
 * (`synchronous_commit = off` for that one transaction), which answers without waiting for the
 * WAL flush (0.2–0.5 ms here, bench/README.md §1 round 19). Such a commit is visible at once and
 * becomes durable as soon as any later synchronous commit, of any session, flushes the WAL past
 * it: the WAL is written in order. A PostgreSQL crash (not a Paved crash: the server has the
 * commit) can lose it, with any other commit not yet flushed (the last ~0.6 s at most, three
 * `wal_writer_delay`s), but never leaves it half applied. So a write may be marked only where
 * BOTH hold:
 *
 * 1. on its path a synchronous commit always follows it before anything outside the store is
 *    told of it or relies on it: an answer that acknowledges it, a driver call, credentials going
 *    out, a webhook or stream record; and
 * 2. losing it in a crash leaves a state Paved already handles as a Paved crash just before that
 *    commit.
 *
 * The writes marked (each says why where it is marked): a create's `received` audit record
 * (server/src/audit/recorder.ts) and the credentials' secret stored during the contract checks
 * (engine/src/apply.ts). Everything else commits synchronously, as always: the create itself
 * (its answer acknowledges it), its `completed` record (the stream's answer waits for it), the
 * intent and generated secrets (the driver is called next), the Ready write (its NOTIFY and
 * event reach other watchers, API reads and webhooks, which nothing flushes first),
 * `credentials.revealed` (the credentials go out next). A commit shared by several writes waits
 * for the flush unless every one of them is marked.
 */

/** Sent right behind a transaction's BEGIN: its COMMIT does not wait for the WAL flush. */
export const FLUSHED_LATER_IN_TRANSACTION = 'set local synchronous_commit = off';

/**
 * The same for a statement that commits by itself (no BEGIN to follow), without a statement
 * more: a condition that is true, set in a WHERE the statement evaluates before it writes.
 * `set_config(…, true)` lasts until the statement's own implicit transaction ends, so it holds at
 * its commit and not after (inside a transaction, until that one's end).
 */
export const flushedLaterCondition = () => sql<boolean>`set_config('synchronous_commit', 'off', true) = 'off'`;
