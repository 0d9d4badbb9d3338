import { sql, type Kysely, type RawBuilder } from '#kysely';
import type { Database } from '../schema.js';

/**
 * A change's lead time (docs/metrics/dora.md "Lead time for changes"), kept on the change row
 * with the finish of the deployment that shipped it, so the metric reads one index range:
 * first commit → opened → merged → deployed, each step in whole minutes rounded up (DevLake's
 * computeTimeSpan) and left out when a minute or more negative; a missing point is skipped.
 */

/** Whole minutes from `a` to `b`, rounded up; null when either is unknown or b is a minute or more before a. */
function span(a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(case when ${a} is null or ${b} is null then null when ${b} - ${a} >= 0 then (${b} - ${a} + 59999) / 60000 when ${b} - ${a} > -60000 then 0 else null end)`;
}

const f = sql.ref('first_commit_ms');
const o = sql.ref('opened_ms');
const m = sql.ref('merged_ms');
const d = sql.ref('shipped_ms');
const LEAD_MINUTES = sql`case when ${d} is null then null else
  coalesce(${span(f, sql`coalesce(${o}, ${m}, ${d})`)}, 0) + coalesce(${span(o, sql`coalesce(${m}, ${d})`)}, 0) + coalesce(${span(m, d)}, 0) end`;

const CHUNK = 500;

/** Refreshes shipped_ms and lead_minutes of the changes of these deployments. */
export async function refreshLeadsOfDeployments(trx: Kysely<Database>, deploymentIds: readonly number[]): Promise<void> {
  for (let i = 0; i < deploymentIds.length; i += CHUNK) {
    const ids = sql.join(deploymentIds.slice(i, i + CHUNK));
    await sql`update delivery_changes set shipped_ms = (select dd.shipped_ms from delivery_deployments dd where dd.id = delivery_changes.deployment_id)
      where deployment_id in (${ids})`.execute(trx);
    await sql`update delivery_changes set lead_minutes = ${LEAD_MINUTES} where deployment_id in (${ids})`.execute(trx);
  }
}

/** Refreshes one change's (its deployment, or its own times, changed). */
export async function refreshLeadOfChange(trx: Kysely<Database>, changeId: number): Promise<void> {
  await sql`update delivery_changes set shipped_ms = (select dd.shipped_ms from delivery_deployments dd where dd.id = delivery_changes.deployment_id)
    where id = ${changeId}`.execute(trx);
  await sql`update delivery_changes set lead_minutes = ${LEAD_MINUTES} where id = ${changeId}`.execute(trx);
}

/** Refreshes every change of a repository (after its links were rebuilt). */
export async function refreshLeadsOfRepository(trx: Kysely<Database>, repoId: number): Promise<void> {
  await sql`update delivery_changes set shipped_ms = (select dd.shipped_ms from delivery_deployments dd where dd.id = delivery_changes.deployment_id)
    where repo_id = ${repoId}`.execute(trx);
  await sql`update delivery_changes set lead_minutes = ${LEAD_MINUTES} where repo_id = ${repoId}`.execute(trx);
}

/** Refreshes the lead times of a branch's changes (a push moved their first commit). */
export async function refreshLeadsOfBranch(trx: Kysely<Database>, repoId: number, branch: string): Promise<void> {
  await sql`update delivery_changes set lead_minutes = ${LEAD_MINUTES} where repo_id = ${repoId} and head_ref = ${branch} and deployment_id is not null`.execute(trx);
}
