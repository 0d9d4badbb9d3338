// Preload (node --require) that counts the PostgreSQL round trips a server makes: every pg
// Client.query (one statement: a round trip of its own, unless pg's pipeline mode wrote it behind
// one still unanswered on its connection, tallied as "(pipelined)") is tallied by the
// statement's first words. The tally is written as JSON to $PAVED_COUNT_PG_FILE on SIGUSR2
// (then reset), so a bench can read the count of a stretch of work. Used by pg-round-trips.mjs.
// $PAVED_COUNT_PG_ROOT names the checkout whose store's `pg` to hook (this one's or a baseline's).
'use strict';
const Module = require('node:module');
const { writeFileSync } = require('node:fs');

const counts = new Map();
// PAVED_COUNT_PG_SEQUENCE=1: the statements in the order sent, each with its connection's number.
const sequence = process.env.PAVED_COUNT_PG_SEQUENCE ? [] : undefined;
let clients = 0;
/** The tally's entry for commits (not a statement: left out of the round trips). */
const COMMITS = '(commits)';
/**
 * The tally's entry for statements written behind another still unanswered on the same connection
 * (pg's pipeline mode): they share its wait, so the waits are the statements less these.
 */
const PIPELINED = '(pipelined)';
/**
 * The tally's entry for commits that do not wait for the WAL flush: a transaction that set
 * `synchronous_commit = off` for itself, or a write outside one with set_config('synchronous_commit',
 * 'off', true) in its text (store/src/dialect/flushed-later.ts). Counted among the commits too.
 */
const UNFLUSHED = '(commits not waiting for the flush)';
const ASYNC_COMMIT = /synchronous_commit\s*=\s*off|set_config\('synchronous_commit', 'off', true\)/i;
let patched = false;
function label(text) {
  const s = String(text).replace(/\s+/g, ' ').trim();
  const head = s.slice(0, 60);
  return head;
}
function patch(pg) {
  if (patched || !pg || !pg.Client) return;
  patched = true;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(config, ...rest) {
    const text = typeof config === 'string' ? config : config && (config.text ?? (config.submit ? config.text ?? 'cursor' : ''));
    // PAVED_COUNT_PG_PREPARED=1: a statement prepared by name (a compiled one, store/src/compiled.ts) tallied apart.
    const key = `${process.env.PAVED_COUNT_PG_PREPARED && config?.name ? '[prepared] ' : ''}${label(text ?? '?')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const inFlight = this.pipeline && (this._activeQuery || this._sentQueryQueue?.length || this._queryQueue?.length);
    if (inFlight) counts.set(PIPELINED, (counts.get(PIPELINED) ?? 0) + 1);
    if (sequence) sequence.push(`${(this.countedId ??= ++clients)}${inFlight ? '+' : ' '}${key}`);
    // Commits, each a WAL flush to wait for: a COMMIT, and a write sent outside a transaction
    // (it commits by itself). A client is in a transaction from its BEGIN to its COMMIT/ROLLBACK.
    const unflushed = ASYNC_COMMIT.test(String(text ?? ''));
    const commit = (async) => {
      counts.set(COMMITS, (counts.get(COMMITS) ?? 0) + 1);
      if (async) counts.set(UNFLUSHED, (counts.get(UNFLUSHED) ?? 0) + 1);
    };
    const bare = key.replace(/^\[prepared\] /, '');
    if (/^begin\b/i.test(bare)) {
      this.countedInTransaction = true;
      this.countedUnflushed = false;
    } else if (/^(commit|rollback)\b/i.test(bare)) {
      this.countedInTransaction = false;
      if (/^commit/i.test(bare)) commit(this.countedUnflushed);
    } else if (this.countedInTransaction) {
      if (unflushed) this.countedUnflushed = true;
    } else if (!/^select\b/i.test(bare)) commit(unflushed);
    return query.call(this, config, ...rest);
  };
}
// The store's pg, loaded now into the require cache: the store's ESM `import pg` finds it there.
const root = process.env.PAVED_COUNT_PG_ROOT ?? process.cwd();
patch(Module.createRequire(require('node:path').join(root, 'packages/store/package.json'))('pg'));
process.on('SIGUSR2', () => {
  const file = process.env.PAVED_COUNT_PG_FILE;
  if (file) writeFileSync(file, JSON.stringify(Object.fromEntries(counts)));
  if (file && sequence) writeFileSync(`${file}.sequence`, sequence.join('\n'));
  counts.clear();
  sequence?.splice(0);
});
