import { sql, type Expression, type SqlBool } from '#kysely';
import { NotFoundError, type Page } from '@paved/model';
import type { StoreContext } from '../context.js';
import type {
  AdoptionRow, FirstReadyRow, InterventionCountRow, LiveInstancesRow, MeasureScope, MeasureWindow, NewIntervention, RequestOutcomeRow,
  StoredIntervention, TimeToReadyRow, UnassistedRow,
} from '../types.js';
import { decodeCursor, encodeCursor, pageLimit } from '../cursor.js';
import { insertIntervention, requestOf } from './measures-projection.js';

/** A week in ms; weeks start on Monday 00:00 UTC. */
export const WEEK_MS = 7 * 86_400_000;
/** 1970-01-05, the first Monday after the epoch: week starts are this plus whole weeks. */
const FIRST_MONDAY_MS = 4 * 86_400_000;

/** The Monday 00:00 UTC (epoch ms) of the week `ms` falls in. */
export function weekStartOf(ms: number): number {
  return Math.floor((ms - FIRST_MONDAY_MS) / WEEK_MS) * WEEK_MS + FIRST_MONDAY_MS;
}

/**
 * The same in SQL, for times after 1970-01-05 (integer division truncates toward zero in both
 * dialects, which is the floor for those). The constants are literals: a bound JS number is a
 * REAL to SQLite, which would divide without truncating, and PostgreSQL matches a GROUP BY
 * expression to the select list by its text, parameters included.
 */
export const weekStartSql = (column: string) =>
  sql<number>`((${sql.ref(column)} - ${sql.lit(FIRST_MONDAY_MS)}) / ${sql.lit(WEEK_MS)}) * ${sql.lit(WEEK_MS)} + ${sql.lit(FIRST_MONDAY_MS)}`;

/**
 * How a request first ended: Ready, Failed or deleted, whichever came first (docs/metrics).
 * A request that failed and was later fixed counts as failed here; it shows as Ready-with-an-
 * intervention in the interventions measure.
 */
const FIRST_OUTCOME = sql<string>`case
  when ready_at is not null and (failed_at is null or ready_at <= failed_at) and (delete_requested_at is null or ready_at <= delete_requested_at) then 'ready'
  when failed_at is not null and (delete_requested_at is null or failed_at <= delete_requested_at) then 'failed'
  when delete_requested_at is not null then 'abandoned'
  else 'pending' end`;

/** `column in (values)` for a scope list, or true when the scope does not restrict it. */
function inList(column: string, values: readonly string[] | undefined): Expression<SqlBool> {
  if (values === undefined) return sql<SqlBool>`1 = 1`;
  if (values.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(values)})`;
}

const num = (value: unknown): number => Number(value ?? 0);

export function measuresRepo(ctx: StoreContext) {
  const { db } = ctx;

  return {
    async requestOutcomes(window: MeasureWindow, scope: MeasureScope = {}): Promise<RequestOutcomeRow[]> {
      const { rows } = await sql<{ product: string; version: string; requested: unknown; ready: unknown; failed: unknown; abandoned: unknown }>`
        select product, version, count(*) as requested,
          sum(case when outcome = 'ready' then 1 else 0 end) as ready,
          sum(case when outcome = 'failed' then 1 else 0 end) as failed,
          sum(case when outcome = 'abandoned' then 1 else 0 end) as abandoned
        from (
          select product, product_version as version, ${FIRST_OUTCOME} as outcome from instance_requests
          where parent_id is null and requested_at >= ${window.since} and requested_at < ${window.until}
            and ${inList('product', scope.products)} and ${inList('team_id', scope.teamIds)}
        ) r
        group by product, version order by product, version`.execute(db);
      return rows.map((r) => ({ product: r.product, version: r.version, requested: num(r.requested), ready: num(r.ready), failed: num(r.failed), abandoned: num(r.abandoned) }));
    },

    async timeToReady(window: MeasureWindow, by: 'product' | 'version', scope: MeasureScope = {}): Promise<TimeToReadyRow[]> {
      const partition = by === 'version' ? sql`product, product_version` : sql`product`;
      // Nearest rank: the p-th percentile of n values is the ceil(p·n)-th smallest, computed in
      // integers: ceil(n/2) = (n + 1) / 2 and ceil(0.95·n) = (95·n + 99) / 100.
      const { rows } = await sql<{ product: string; version: string | null; n: unknown; p50: unknown; p95: unknown }>`
        select product, ${by === 'version' ? sql`product_version` : sql`null`} as version, max(n) as n,
          max(case when rn = (n + 1) / 2 then ms end) as p50,
          max(case when rn = (95 * n + 99) / 100 then ms end) as p95
        from (
          select product, product_version, ready_at - requested_at as ms,
            row_number() over (partition by ${partition} order by ready_at - requested_at) as rn,
            count(*) over (partition by ${partition}) as n
          from instance_requests
          where parent_id is null and ready_at is not null and requested_at >= ${window.since} and requested_at < ${window.until}
            and ${inList('product', scope.products)} and ${inList('team_id', scope.teamIds)}
        ) ranked
        group by ${partition} order by ${partition}`.execute(db);
      return rows.map((r) => ({
        product: r.product, ...(r.version === null ? {} : { version: r.version }), count: num(r.n), p50Ms: num(r.p50), p95Ms: num(r.p95),
      }));
    },

    async liveInstances(by: 'product' | 'version', scope: MeasureScope = {}): Promise<LiveInstancesRow[]> {
      let query = db
        .selectFrom('instances')
        .select((eb) => ['product', eb.fn.countAll().as('instances'), eb.fn.count('team_id').distinct().as('teams')])
        .where('parent_id', 'is', null)
        .where('deletion_requested', '=', 0)
        .where(inList('product', scope.products))
        .where(inList('team_id', scope.teamIds));
      if (by === 'version') {
        const rows = await query.select('product_version').groupBy(['product', 'product_version']).orderBy('product').orderBy('product_version').execute();
        return rows.map((r) => ({ product: r.product, version: r.product_version, instances: num(r.instances), teams: num(r.teams) }));
      }
      query = query.groupBy('product').orderBy('product');
      return (await query.execute()).map((r) => ({ product: r.product, instances: num(r.instances), teams: num(r.teams) }));
    },

    async firstReadyByTeam(scope: MeasureScope = {}): Promise<FirstReadyRow[]> {
      const rows = await db
        .selectFrom('instance_requests')
        .innerJoin('teams', 'teams.id', 'instance_requests.team_id')
        .select((eb) => ['teams.id as team_id', 'teams.created_at', eb.fn.min('instance_requests.ready_at').as('first')])
        .where('instance_requests.parent_id', 'is', null)
        .where('instance_requests.ready_at', 'is not', null)
        .where(inList('instance_requests.product', scope.products))
        .where(inList('instance_requests.team_id', scope.teamIds))
        .groupBy(['teams.id', 'teams.created_at'])
        .orderBy('teams.id')
        .execute();
      return rows.map((r) => ({ teamId: r.team_id, teamCreatedAt: r.created_at, firstReadyAt: num(r.first) }));
    },

    async adoptionAt(cutoffs: number[], scope: Pick<MeasureScope, 'teamIds'> = {}): Promise<AdoptionRow[]> {
      if (cutoffs.length === 0) return [];
      // One row per cut-off; the cast gives PostgreSQL the parameters' type.
      const values = sql.join(cutoffs.map((at) => sql`(cast(${at} as bigint))`));
      const { rows } = await sql<{ at: unknown; services: unknown; adopted: unknown }>`
        with cutoffs(at) as (values ${values})
        select c.at, count(s.service_id) as services,
          sum(case when exists (
            select 1 from instance_requests r
            where r.service_id = s.service_id and r.parent_id is null and r.requested_at < c.at
              and (r.delete_requested_at is null or r.delete_requested_at >= c.at)
          ) then 1 else 0 end) as adopted
        from cutoffs c
        left join service_lifetimes s on s.created_at < c.at and (s.deleted_at is null or s.deleted_at >= c.at) and ${inList('s.team_id', scope.teamIds)}
        group by c.at order by c.at`.execute(db);
      const byAt = new Map(rows.map((r) => [num(r.at), { services: num(r.services), adopted: num(r.adopted) }]));
      return cutoffs.map((at) => ({ at, ...(byAt.get(at) ?? { services: 0, adopted: 0 }) }));
    },

    async interventionCounts(window: MeasureWindow, scope: MeasureScope = {}): Promise<InterventionCountRow[]> {
      const { rows } = await sql<{ team_name: string; week: unknown; kind: string; count: unknown }>`
        select t.name as team_name, w.week, w.kind, count(*) as count
        from (
          select team_id, kind, ${weekStartSql('at')} as week from interventions
          where at >= ${window.since} and at < ${window.until}
            and ${inList('product', scope.products)} and ${inList('team_id', scope.teamIds)}
        ) w join teams t on t.id = w.team_id
        group by t.name, w.week, w.kind order by w.week, t.name, w.kind`.execute(db);
      return rows.map((r) => ({ teamName: r.team_name, weekStart: num(r.week), kind: r.kind, count: num(r.count) }));
    },

    async unassistedReady(window: MeasureWindow, scope: MeasureScope = {}): Promise<UnassistedRow[]> {
      const { rows } = await sql<{ week: unknown; ready: unknown; unassisted: unknown }>`
        select week, count(*) as ready, sum(case when assisted then 0 else 1 end) as unassisted
        from (
          select ${weekStartSql('r.ready_at')} as week,
            exists (select 1 from interventions i where i.instance_id = r.instance_id and i.at <= r.ready_at) as assisted
          from instance_requests r
          where r.parent_id is null and r.ready_at >= ${window.since} and r.ready_at < ${window.until}
            and ${inList('r.product', scope.products)} and ${inList('r.team_id', scope.teamIds)}
        ) x
        group by week order by week`.execute(db);
      return rows.map((r) => ({ weekStart: num(r.week), ready: num(r.ready), unassisted: num(r.unassisted) }));
    },

    async recordIntervention(input: NewIntervention): Promise<StoredIntervention> {
      return ctx.adapter.transaction(async (trx) => {
        const request = await requestOf(trx, input.instanceId);
        if (request === undefined) {
          throw new NotFoundError(`No request for instance ${input.instanceId}.`, { code: 'instance_not_found', issues: [{ path: 'instance', message: 'does not exist' }] });
        }
        const at = ctx.now();
        const note = input.note ?? '';
        const { id, seq } = await insertIntervention(trx, { at, request, kind: input.kind, ...(input.actor === undefined ? {} : { actor: input.actor }), note });
        const team = await trx.selectFrom('teams').select('name').where('id', '=', request.teamId).executeTakeFirst();
        return {
          id, seq, at, teamId: request.teamId, teamName: team?.name ?? '', product: request.product, instanceId: request.id, instanceName: request.name,
          kind: input.kind, ...(input.actor === undefined ? {} : { actor: input.actor }), note,
        };
      });
    },

    async listInterventions(filter: { product: string; kinds: string[]; cursor?: string; limit?: number }): Promise<Page<StoredIntervention>> {
      const limit = pageLimit(filter.limit);
      if (filter.kinds.length === 0) return { items: [] };
      let query = db
        .selectFrom('interventions')
        .innerJoin('teams', 'teams.id', 'interventions.team_id')
        .selectAll('interventions')
        .select('teams.name as team_name')
        .where('interventions.product', '=', filter.product)
        .where('interventions.kind', 'in', filter.kinds);
      if (filter.cursor !== undefined) {
        const [seq] = decodeCursor(filter.cursor, ['number']) as [number];
        query = query.where('interventions.seq', '<', seq);
      }
      const rows = await query.orderBy('interventions.seq', 'desc').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map((r): StoredIntervention => ({
        id: r.id, seq: num(r.seq), at: num(r.at), teamId: r.team_id, teamName: r.team_name, product: r.product, instanceId: r.instance_id,
        instanceName: r.instance_name, kind: r.kind, ...(r.actor === null ? {} : { actor: r.actor }), note: r.note,
      }));
      const last = items[items.length - 1];
      return rows.length > limit && last ? { items, nextCursor: encodeCursor([last.seq]) } : { items };
    },

    async queueDepth(): Promise<{ due: number; leased: number }> {
      const now = ctx.now();
      // One range of the due_at index: a pass holds its lease while its instance is still due.
      const row = await db
        .selectFrom('instances')
        .select([
          sql<number>`sum(case when lease_expires_at is null or lease_expires_at <= ${now} then 1 else 0 end)`.as('due'),
          sql<number>`sum(case when lease_expires_at > ${now} then 1 else 0 end)`.as('leased'),
        ])
        .where('due_at', '<=', now)
        .executeTakeFirstOrThrow();
      return { due: num(row.due), leased: num(row.leased) };
    },
  };
}
