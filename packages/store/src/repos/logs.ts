import { EventEmitter } from 'node:events';
import { InputError, type LogLine } from '@paved/model';
import type { StoreContext } from '../context.js';
import type { LogAppendListener, LogBatch, LogLineFilter, LogLinePage, LogStreamRef } from '../types.js';

/** Longest stored line in UTF-8 bytes; longer lines are cut to this, never refused (a log must not lose the line). */
export const LOG_LINE_MAX_BYTES = 16 * 1024;
/** Most lines one appendLogLines call takes. */
export const LOG_BATCH_MAX_LINES = 1000;

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/**
 * Rows one listing reads at most. `grep` is matched here, in code, rather than in SQL: LIKE is
 * case-insensitive on SQLite and case-sensitive on PostgreSQL, and the substring functions have
 * different names (instr / strpos). Bounding the scan keeps one request cheap on a large stream;
 * the caller continues from `nextSeq`.
 */
const SCAN_CHUNK = 1000;
const MAX_SCANNED = 20_000;

/** Cuts a line to LOG_LINE_MAX_BYTES without splitting a UTF-8 character. */
export function capLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= LOG_LINE_MAX_BYTES) return line;
  return Buffer.from(line, 'utf8').subarray(0, LOG_LINE_MAX_BYTES).toString('utf8').replace(/\uFFFD+$/, '');
}

function streamIs(ref: LogStreamRef) {
  return { team_id: ref.teamId, service: ref.service, environment: ref.environment };
}

export function logsRepo(ctx: StoreContext) {
  const emitter = new EventEmitter();
  // Every follower (server-sent events) is a listener.
  emitter.setMaxListeners(0);

  return {
    async appendLogLines(batch: LogBatch): Promise<{ appended: number; lastSeq?: number }> {
      if (batch.lines.length > LOG_BATCH_MAX_LINES) {
        throw new InputError(`a batch holds at most ${LOG_BATCH_MAX_LINES} lines (got ${batch.lines.length})`, {
          code: 'log_batch_too_large',
          issues: [{ path: 'lines', message: `at most ${LOG_BATCH_MAX_LINES} lines` }],
        });
      }
      if (batch.lines.length === 0) return { appended: 0 };
      const lastSeq = await ctx.adapter.transaction(async (trx) => {
        // Lock the team row so a team's appends commit in seq order on PostgreSQL (bigserial
        // values are taken before commit; without this a follower reading "seq > cursor" could
        // pass over a line that commits after a higher one). SQLite's write lock does it already.
        await ctx.adapter.forUpdate(trx.selectFrom('teams').select('id').where('id', '=', batch.teamId)).execute();
        const rows = await trx
          .insertInto('log_lines')
          .values(batch.lines.map((l) => ({ ...streamIs(batch), at: l.at, stream: l.stream, line: capLine(l.line) })))
          .returning('seq')
          .execute();
        return Math.max(...rows.map((r) => Number(r.seq)));
      });
      emitter.emit('append', { teamId: batch.teamId, service: batch.service, environment: batch.environment, lastSeq });
      return { appended: batch.lines.length, lastSeq };
    },

    async listLogLines(filter: LogLineFilter): Promise<LogLinePage> {
      const limit = Math.min(filter.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new InputError('limit must be a positive integer', { code: 'limit_invalid', issues: [{ path: 'limit', message: 'must be a positive integer' }] });
      }
      const items: LogLine[] = [];
      let after = filter.sinceSeq ?? 0;
      let scanned = 0;
      for (;;) {
        const chunk = filter.grep === undefined ? limit + 1 : SCAN_CHUNK;
        let query = ctx.db.selectFrom('log_lines').selectAll()
          .where('team_id', '=', filter.teamId).where('service', '=', filter.service).where('environment', '=', filter.environment)
          .where('seq', '>', after);
        if (filter.sinceAt !== undefined) query = query.where('at', '>=', filter.sinceAt);
        const rows = await query.orderBy('seq').limit(chunk).execute();
        for (const row of rows) {
          if (items.length === limit) return { items, nextSeq: after, readTo: after };
          after = Number(row.seq);
          if (filter.grep !== undefined && !row.line.includes(filter.grep)) continue;
          items.push({ seq: after, at: row.at, service: row.service, environment: row.environment, stream: row.stream as LogLine['stream'], line: row.line });
        }
        scanned += rows.length;
        if (rows.length < chunk) return { items, readTo: after };
        if (items.length === limit || scanned >= MAX_SCANNED) return { items, nextSeq: after, readTo: after };
      }
    },

    async pruneLogLines(filter: Partial<LogStreamRef> & { olderThan: string }): Promise<number> {
      let query = ctx.db.deleteFrom('log_lines').where('at', '<', filter.olderThan);
      if (filter.teamId !== undefined) query = query.where('team_id', '=', filter.teamId);
      if (filter.service !== undefined) query = query.where('service', '=', filter.service);
      if (filter.environment !== undefined) query = query.where('environment', '=', filter.environment);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async listLogStreams(): Promise<LogStreamRef[]> {
      const rows = await ctx.db.selectFrom('log_lines').select(['team_id', 'service', 'environment']).distinct()
        .orderBy('team_id').orderBy('service').orderBy('environment').execute();
      return rows.map((r) => ({ teamId: r.team_id, service: r.service, environment: r.environment }));
    },

    async lastLogSeq(stream: LogStreamRef): Promise<number> {
      const row = await ctx.db.selectFrom('log_lines').select((eb) => eb.fn.max('seq').as('last'))
        .where('team_id', '=', stream.teamId).where('service', '=', stream.service).where('environment', '=', stream.environment)
        .executeTakeFirst();
      return Number(row?.last ?? 0);
    },

    onLogLines(listener: LogAppendListener): () => void {
      // A throwing listener must not fail the append that triggered it.
      const safe: LogAppendListener = (appended) => {
        try {
          listener(appended);
        } catch {
          /* the listener's own problem */
        }
      };
      emitter.on('append', safe);
      return () => emitter.off('append', safe);
    },
  };
}
