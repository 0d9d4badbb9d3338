import { randomUUID } from 'node:crypto';
import type { Selectable } from '#kysely';
import { ConflictError, type Page } from '@paved/model';
import type { StoreContext } from '../context.js';
import type { FeedbackTable } from '../schema.js';
import type { MeasureWindow, NewFeedback, SatisfactionRow, StoredFeedback } from '../types.js';
import { decodeCursor, encodeCursor, pageLimit } from '../cursor.js';
import { weekStartSql } from './measures.js';

function toFeedback(row: Selectable<FeedbackTable> & { team_name?: string | null }): StoredFeedback {
  return {
    id: row.id,
    at: Number(row.at),
    product: row.product,
    ...(row.product_version === null ? {} : { version: row.product_version }),
    userId: row.user_id,
    ...(row.team_id === null ? {} : { teamId: row.team_id }),
    ...(row.team_name === null || row.team_name === undefined ? {} : { teamName: row.team_name }),
    ...(row.instance_id === null ? {} : { instanceId: row.instance_id }),
    score: Number(row.score),
    comment: row.comment,
  };
}

/** Feedback (migration 0014): a person's 1–5 score of a product, with an optional comment. */
export function feedbackRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;

  return {
    async recordFeedback(input: NewFeedback): Promise<StoredFeedback> {
      const row = {
        id: randomUUID(),
        at: ctx.now(),
        product: input.product,
        product_version: input.version ?? null,
        user_id: input.userId,
        team_id: input.teamId ?? null,
        instance_id: input.instanceId ?? null,
        score: input.score,
        comment: input.comment,
      };
      try {
        await db.insertInto('feedback').values(row).execute();
      } catch (error) {
        if (adapter.isUniqueViolation(error)) {
          throw new ConflictError('You already gave feedback on this instance; give more on the product with: paved feedback ' + input.product, {
            code: 'feedback_exists', issues: [{ path: 'instance', message: 'already has your feedback' }], cause: error,
          });
        }
        throw error;
      }
      return toFeedback({ ...row, seq: 0 });
    },

    async satisfaction(product: string, window: MeasureWindow): Promise<SatisfactionRow[]> {
      const week = weekStartSql('at');
      const rows = await db
        .selectFrom('feedback')
        .select((eb) => [week.as('week'), 'score', eb.fn.countAll().as('count')])
        .where('product', '=', product)
        .where('at', '>=', window.since)
        .where('at', '<', window.until)
        .groupBy([week, 'score'])
        .orderBy('week')
        .orderBy('score')
        .execute();
      return rows.map((r) => ({ weekStart: Number(r.week), score: Number(r.score), count: Number(r.count) }));
    },

    async listFeedbackComments(filter: { product: string; cursor?: string; limit?: number }): Promise<Page<StoredFeedback>> {
      const limit = pageLimit(filter.limit);
      let query = db
        .selectFrom('feedback')
        .leftJoin('teams', 'teams.id', 'feedback.team_id')
        .selectAll('feedback')
        .select('teams.name as team_name')
        .where('feedback.product', '=', filter.product)
        .where('feedback.comment', '<>', '');
      if (filter.cursor !== undefined) {
        const [seq] = decodeCursor(filter.cursor, ['number']) as [number];
        query = query.where('feedback.seq', '<', seq);
      }
      const rows = await query.orderBy('feedback.seq', 'desc').limit(limit + 1).execute();
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const page: Page<StoredFeedback> = { items: items.map(toFeedback) };
      if (rows.length > limit && last) page.nextCursor = encodeCursor([Number(last.seq)]);
      return page;
    },
  };
}
