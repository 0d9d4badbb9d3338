import { sql } from '#kysely';
import type { StoreContext } from '../context.js';
import type { DoraFacts, DoraFactsQuery, DoraIncidentFact } from '../types.js';

/**
 * The facts behind the DORA metrics, aggregated in the database (docs/metrics/dora.md
 * "Storage"): one index range of delivery_deployments per repository for the days and counts,
 * one of delivery_changes for the lead times (returned as a histogram, so a median over
 * millions of changes moves a few thousand rows), and the scope's
 * incidents (few) with the deployment each is counted against. Medians and levels are the
 * server's job (packages/server/src/metrics/dora).
 */

const DAY_MS = 86_400_000;
/** Rows per VALUES list: well below both dialects' bound-parameter limits. */
const VALUES_CHUNK = 300;

const int = (value: number) => sql`cast(${Math.trunc(value)} as bigint)`;

export function doraRepo(ctx: StoreContext) {
  const { db } = ctx;

  return {
    async doraFacts(query: DoraFactsQuery): Promise<DoraFacts> {
      const repoIds = [...new Set(query.services.flatMap((s) => s.repositoryIds))];
      const empty: DoraFacts = { days: [], leadTimes: [], incidents: [], reworked: 0, withoutChanges: [] };
      if (repoIds.length === 0) return empty;
      const repos = sql.join(repoIds.map(int));
      const { fromMs, toMs } = query;

      const days = new Map<number, { deployments: number; withoutChanges: number }>();
      for (const interval of query.offsets) {
        const a = Math.max(interval.fromMs, fromMs);
        const b = Math.min(interval.toMs, toMs);
        if (a >= b) continue;
        const rows = await sql<{ day: number; n: number; bare: number }>`
          select (d.shipped_ms + ${int(interval.offsetMs)}) / ${int(DAY_MS)} as day, count(*) as n,
                 sum(case when d.changes = 0 then 1 else 0 end) as bare
          from delivery_deployments d
          where d.repo_id in (${repos}) and d.shipped_ms >= ${int(a)} and d.shipped_ms < ${int(b)}
          group by 1`.execute(db);
        for (const row of rows.rows) {
          const day = Number(row.day);
          const sum = days.get(day) ?? { deployments: 0, withoutChanges: 0 };
          sum.deployments += Number(row.n);
          sum.withoutChanges += Number(row.bare);
          days.set(day, sum);
        }
      }

      // Each change carries its deployment's finish and its lead time (repos/lead-time.ts).
      const leads = await sql<{ minutes: number; n: number }>`
        select c.lead_minutes as minutes, count(*) as n from delivery_changes c
        where c.repo_id in (${repos}) and c.shipped_ms >= ${int(fromMs)} and c.shipped_ms < ${int(toMs)}
        group by c.lead_minutes order by c.lead_minutes`.execute(db);

      const serviceOfRepo = new Map<number, string>();
      for (const service of query.services) for (const id of service.repositoryIds) if (!serviceOfRepo.has(id)) serviceOfRepo.set(id, service.key);
      const bare = await db.selectFrom('delivery_deployments as d').innerJoin('delivery_environments as e', 'e.id', 'd.environment_id')
        .select(['d.repo_id', 'd.external_id', 'e.name', 'd.shipped_ms'])
        .where('d.repo_id', 'in', repoIds).where('d.shipped_ms', '>=', fromMs).where('d.shipped_ms', '<', toMs).where('d.changes', '=', 0)
        .orderBy('d.shipped_ms').orderBy('d.id').limit(query.examples ?? 10).execute();

      const incidents = await incidentsOf(query);
      return {
        days: [...days].map(([day, sum]) => ({ day, ...sum })).sort((x, y) => x.day - y.day),
        leadTimes: leads.rows.map((r) => ({ minutes: Number(r.minutes), count: Number(r.n) })),
        incidents,
        reworked: await reworked(query, incidents),
        withoutChanges: bare.map((r) => ({ service: serviceOfRepo.get(Number(r.repo_id)) ?? '', id: r.external_id, environment: r.name, finishedMs: Number(r.shipped_ms) })),
      };
    },
  };

  /**
   * The incidents of the scope that bear on the window: created after its start (they may be
   * counted against one of its deployments), or open during it (rework). Each comes with the
   * last successful production deployment of its service that finished before it was created,
   * found per repository through the (repo_id, shipped_ms) index, the latest kept per service.
   */
  async function incidentsOf(query: DoraFactsQuery): Promise<DoraIncidentFact[]> {
    const pairs = query.services.flatMap((s, svc) => s.repositoryIds.map((repo) => sql`(cast(${svc} as integer), ${int(repo)})`));
    if (pairs.length === 0) return [];
    const rows = await sql<{ id: number; external_id: string; svc: number; created_ms: number; resolved_ms: number | null; dep_id: number | null; dep_ms: number | null }>`
      with scope(svc, repo) as (values ${sql.join(pairs)}),
      inc as (
        select i.id, i.external_id, s.svc, i.created_ms, i.resolved_ms
        from delivery_issues i join scope s on s.repo = i.repo_id
        where i.incident = 1 and i.state <> 'deleted'
          and (i.created_ms > ${int(query.fromMs)} or (i.created_ms < ${int(query.toMs)} and (i.resolved_ms is null or i.resolved_ms >= ${int(query.fromMs)})))
      ),
      cand as (
        select inc.id, inc.external_id, inc.svc, inc.created_ms, inc.resolved_ms,
          (select d.id from delivery_deployments d
            where d.repo_id = s2.repo and d.shipped_ms < inc.created_ms
            order by d.shipped_ms desc, d.id desc limit 1) as dep_id
        from inc join scope s2 on s2.svc = inc.svc
      )
      select cand.id, cand.external_id, cand.svc, cand.created_ms, cand.resolved_ms, cand.dep_id, dd.shipped_ms as dep_ms
      from cand left join delivery_deployments dd on dd.id = cand.dep_id`.execute(db);
    const byIncident = new Map<string, DoraIncidentFact>();
    for (const row of rows.rows) {
      const key = `${row.svc}:${row.id}`;
      const candidate: DoraIncidentFact = {
        service: query.services[Number(row.svc)]!.key,
        incidentId: Number(row.id),
        id: row.external_id,
        createdMs: Number(row.created_ms),
        resolvedMs: row.resolved_ms === null ? null : Number(row.resolved_ms),
        deploymentId: row.dep_id === null ? null : Number(row.dep_id),
        deploymentShippedMs: row.dep_ms === null ? null : Number(row.dep_ms),
      };
      const best = byIncident.get(key);
      if (best === undefined || later(candidate, best)) byIncident.set(key, candidate);
    }
    return [...byIncident.values()].sort((a, b) => a.createdMs - b.createdMs || a.incidentId - b.incidentId);
  }

  /**
   * Deployments of the window that finished while an incident of their service was open
   * (created ≤ finished ≤ resolved, or still open): each service's incident intervals merged,
   * spread over its repositories, merged again per repository (so a deployment counts once),
   * then counted one index range per interval (a correlated count: a join lets SQLite's planner
   * scan every deployment instead).
   */
  async function reworked(query: DoraFactsQuery, incidents: DoraIncidentFact[]): Promise<number> {
    const perRepo = new Map<number, [number, number][]>();
    query.services.forEach((service) => {
      const own = incidents.filter((i) => i.service === service.key)
        .map((i): [number, number] => [Math.max(i.createdMs, query.fromMs), Math.min(i.resolvedMs ?? Number.MAX_SAFE_INTEGER, query.toMs - 1)])
        .filter(([a, b]) => a <= b);
      for (const repo of service.repositoryIds) perRepo.set(repo, [...(perRepo.get(repo) ?? []), ...own]);
    });
    const intervals = [...perRepo].flatMap(([repo, list]) => merge(list).map(([a, b]) => sql`(${int(repo)}, ${int(a)}, ${int(b)})`));
    let total = 0;
    for (let i = 0; i < intervals.length; i += VALUES_CHUNK) {
      const result = await sql<{ n: number }>`
        with iv(repo, a, b) as (values ${sql.join(intervals.slice(i, i + VALUES_CHUNK))})
        select sum((select count(*) from delivery_deployments d where d.repo_id = iv.repo and d.shipped_ms >= iv.a and d.shipped_ms <= iv.b)) as n
        from iv`.execute(db);
      total += Number(result.rows[0]?.n ?? 0);
    }
    return total;
  }
}

function later(a: DoraIncidentFact, b: DoraIncidentFact): boolean {
  if (a.deploymentShippedMs === null) return false;
  if (b.deploymentShippedMs === null) return true;
  return a.deploymentShippedMs > b.deploymentShippedMs || (a.deploymentShippedMs === b.deploymentShippedMs && (a.deploymentId ?? 0) > (b.deploymentId ?? 0));
}

/** Overlapping or touching closed intervals merged. */
function merge(intervals: [number, number][]): [number, number][] {
  const sorted = [...intervals].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last !== undefined && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
