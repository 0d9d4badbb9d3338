import { sql, type ExpressionBuilder, type Kysely } from '#kysely';
import type { Database } from '../schema.js';
import { refreshLeadOfChange, refreshLeadsOfDeployments, refreshLeadsOfRepository } from './lead-time.js';

/**
 * Which changes each successful production deployment shipped, kept as data
 * (delivery_deployment_commits, delivery_changes.deployment_id) so the DORA queries read links
 * instead of walking history. Apache DevLake's rule, without a git clone:
 *
 *   A deployment ships the commits reachable from its sha and not from the previous successful
 *   production deployment of the same repository (in order of finishing); the first one has no
 *   previous deployment and ships nothing. A change belongs to the first deployment, in order of
 *   finishing, whose commits contain its merge commit.
 *
 * "Reachable" is reconstructed from pushes: walking back from the deployed sha, each push
 * (`before` → `after`, commits oldest first) adds its commits, until a commit that an earlier
 * deployment shipped (the previous deployment's sha, usually; for a rollback, its own sha at
 * once, so a rollback ships nothing), the start of a branch, or a commit no known push leads to.
 * That last case is a gap: it is recorded on the deployment, and the deployment is linked again
 * when a push ending at that commit arrives (deliveries come in any order).
 *
 * Everything runs inside the delivery's transaction, with the repository row locked on
 * PostgreSQL, so two deliveries of one repository never link at the same time.
 */

const ZERO_SHA = /^0+$/;
/** Pushes one walk may cross: bounds the work of a deployment whose previous one lies far back. */
const MAX_PUSHES = 500;
const CHUNK = 500;

type Trx = Kysely<Database>;

interface ShippedDeployment {
  id: number;
  sha: string | null;
  shipped_ms: number;
}

/** Relinks after a deployment's shipped time changed (it shipped, stopped counting, or moved in time). */
export async function relinkDeployment(trx: Trx, repoId: number, deploymentId: number, before: number | null, after: number | null): Promise<void> {
  const touched = new Set<string>();
  if (after === null) {
    await clearRange(trx, deploymentId, touched);
    await trx.updateTable('delivery_deployments').set({ gap_sha: null }).where('id', '=', deploymentId).execute();
  } else {
    await linkRange(trx, repoId, deploymentId, touched);
  }
  // The deployment that followed it before, and the one that follows it now, start their walks
  // from a different previous deployment.
  const successors = new Set<number>();
  for (const at of [before, after]) {
    if (at === null) continue;
    const next = await nextShipped(trx, repoId, at, deploymentId);
    if (next !== undefined) successors.add(next.id);
  }
  for (const id of successors) await linkRange(trx, repoId, id, touched);
  await relinkChanges(trx, repoId, [...touched]);
  // Changes that stay with this deployment (named by the API, or not moved) follow its new finish.
  await refreshLeadsOfDeployments(trx, [deploymentId]);
}

/** A push arrived: deployments whose walk stopped for want of it are linked again. */
export async function relinkGaps(trx: Trx, repoId: number, shas: readonly string[]): Promise<void> {
  if (shas.length === 0) return;
  const waiting = await trx.selectFrom('delivery_deployments').select(['id', 'shipped_ms'])
    .where('repo_id', '=', repoId).where('gap_sha', 'in', [...shas]).where('shipped_ms', 'is not', null)
    .orderBy('shipped_ms').orderBy('id').execute();
  if (waiting.length === 0) return;
  const touched = new Set<string>();
  for (const row of waiting) await linkRange(trx, repoId, Number(row.id), touched);
  await relinkChanges(trx, repoId, [...touched]);
}

/** Every shipped deployment of the repository, in order, as after a change of the rules. */
export async function relinkRepository(trx: Trx, repoId: number): Promise<void> {
  const touched = new Set<string>();
  const stale = await trx.selectFrom('delivery_deployment_commits').select('deployment_id').distinct()
    .where('repo_id', '=', repoId).execute();
  for (const row of stale) await clearRange(trx, Number(row.deployment_id), touched);
  const shipped = await trx.selectFrom('delivery_deployments').select('id')
    .where('repo_id', '=', repoId).where('shipped_ms', 'is not', null).orderBy('shipped_ms').orderBy('id').execute();
  for (const row of shipped) await linkRange(trx, repoId, Number(row.id), touched);
  const merged = await trx.selectFrom('delivery_changes').select('merge_sha').where('repo_id', '=', repoId).where('merge_sha', 'is not', null).execute();
  for (const row of merged) touched.add(row.merge_sha!);
  await relinkChanges(trx, repoId, [...touched]);
  await refreshLeadsOfRepository(trx, repoId);
}

async function clearRange(trx: Trx, deploymentId: number, touched: Set<string>): Promise<void> {
  const old = await trx.selectFrom('delivery_deployment_commits').select('sha').where('deployment_id', '=', deploymentId).execute();
  for (const row of old) touched.add(row.sha);
  if (old.length > 0) await trx.deleteFrom('delivery_deployment_commits').where('deployment_id', '=', deploymentId).execute();
}

async function nextShipped(trx: Trx, repoId: number, at: number, exceptId: number): Promise<ShippedDeployment | undefined> {
  // A row-value range, so both dialects seek the (repo_id, shipped_ms, id) index instead of scanning it.
  const row = await trx.selectFrom('delivery_deployments').select(['id', 'sha', 'shipped_ms'])
    .where('repo_id', '=', repoId)
    .where((eb) => eb(eb.refTuple('shipped_ms', 'id'), '>', eb.tuple(at, exceptId)))
    .orderBy('shipped_ms').orderBy('id').limit(1).executeTakeFirst();
  return row ? { id: Number(row.id), sha: row.sha, shipped_ms: Number(row.shipped_ms) } : undefined;
}

/** Recomputes one shipped deployment's commits (see the module comment). */
async function linkRange(trx: Trx, repoId: number, deploymentId: number, touched: Set<string>): Promise<void> {
  await clearRange(trx, deploymentId, touched);
  const self = await trx.selectFrom('delivery_deployments').select(['id', 'sha', 'shipped_ms']).where('id', '=', deploymentId).executeTakeFirst();
  if (!self || self.shipped_ms === null) return;
  const at = Number(self.shipped_ms);
  const earlier = (eb: ExpressionBuilder<Database, 'delivery_deployments'>) => eb(eb.refTuple('shipped_ms', 'id'), '<', eb.tuple(at, deploymentId));
  const previous = await trx.selectFrom('delivery_deployments').select('id')
    .where('repo_id', '=', repoId).where('shipped_ms', 'is not', null).where(earlier)
    .orderBy('shipped_ms', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  let gap: string | null = null;
  const range: string[] = [];
  if (previous !== undefined && self.sha !== null) {
    const shippedBefore = async (shas: string[]): Promise<Set<string>> => {
      if (shas.length === 0) return new Set();
      const rows = await trx.selectFrom('delivery_deployments').select('sha')
        .where('repo_id', '=', repoId).where('sha', 'in', shas).where('shipped_ms', 'is not', null).where(earlier).execute();
      return new Set(rows.map((r) => r.sha!));
    };
    const repo = await trx.selectFrom('delivery_repositories').select('default_branch').where('id', '=', repoId).executeTakeFirst();
    gap = await walk(trx, repoId, repo?.default_branch ?? null, self.sha, shippedBefore, range);
  }
  if (range.length > 0) {
    for (let i = 0; i < range.length; i += CHUNK) {
      await trx.insertInto('delivery_deployment_commits')
        .values(range.slice(i, i + CHUNK).map((sha) => ({ deployment_id: deploymentId, repo_id: repoId, sha })))
        .onConflict((oc) => oc.doNothing()).execute();
    }
    for (const sha of range) touched.add(sha);
  }
  await trx.updateTable('delivery_deployments').set({ gap_sha: gap }).where('id', '=', deploymentId).execute();
}

/** Collects into `range` the commits from `head` back to what earlier deployments shipped; returns the gap commit, if any. */
async function walk(trx: Trx, repoId: number, defaultBranch: string | null, head: string, shippedBefore: (shas: string[]) => Promise<Set<string>>, range: string[]): Promise<string | null> {
  let cursor = head;
  const seen = new Set<string>();
  const inRange = new Set<string>();
  for (let step = 0; step < MAX_PUSHES; step++) {
    if (ZERO_SHA.test(cursor) || seen.has(cursor)) return null;
    seen.add(cursor);
    const push = await pushEndingAt(trx, repoId, defaultBranch, cursor);
    if (push === undefined) {
      // The cursor may itself have been shipped before (a rollback to an older deployment's sha).
      return (await shippedBefore([cursor])).has(cursor) ? null : cursor;
    }
    const shipped = await shippedBefore([cursor, ...push.commits]);
    if (shipped.has(cursor)) return null;
    // Newest first: stop at the first commit an earlier deployment shipped.
    for (let i = push.commits.length - 1; i >= 0; i--) {
      const sha = push.commits[i]!;
      if (shipped.has(sha)) return null;
      if (!inRange.has(sha)) {
        inRange.add(sha);
        range.push(sha);
      }
    }
    cursor = push.before;
  }
  return null;
}

/**
 * The push whose commits end at `sha`: one whose `after` is it (a push to the default branch
 * first, then one continuing a branch rather than starting one), else the push that listed it
 * among its commits (a deployment of a commit in the middle of a push). Its commits are cut
 * after `sha`.
 */
async function pushEndingAt(trx: Trx, repoId: number, defaultBranch: string | null, sha: string): Promise<{ before: string; commits: string[] } | undefined> {
  const byAfter = await trx.selectFrom('delivery_pushes').select(['id', 'ref', 'before_sha'])
    .where('repo_id', '=', repoId).where('after_sha', '=', sha).orderBy('id').execute();
  if (byAfter.length > 0) {
    const rank = (p: { ref: string; before_sha: string }) => (p.ref === defaultBranch ? 0 : 2) + (ZERO_SHA.test(p.before_sha) ? 1 : 0);
    const push = [...byAfter].sort((a, b) => rank(a) - rank(b))[0]!;
    const commits = await trx.selectFrom('delivery_push_commits').select('sha').where('push_id', '=', push.id).orderBy('position').execute();
    const shas = commits.map((c) => c.sha);
    const end = shas.lastIndexOf(sha);
    return { before: push.before_sha, commits: end >= 0 ? shas.slice(0, end + 1) : shas };
  }
  const within = await trx.selectFrom('delivery_push_commits').innerJoin('delivery_pushes', 'delivery_pushes.id', 'delivery_push_commits.push_id')
    .select(['delivery_pushes.id', 'delivery_pushes.before_sha', 'delivery_push_commits.position'])
    .where('delivery_push_commits.repo_id', '=', repoId).where('delivery_push_commits.sha', '=', sha)
    .orderBy('delivery_pushes.id').limit(1).executeTakeFirst();
  if (within === undefined) return undefined;
  const commits = await trx.selectFrom('delivery_push_commits').select('sha')
    .where('push_id', '=', within.id).where('position', '<=', within.position).orderBy('position').execute();
  return { before: within.before_sha, commits: commits.map((c) => c.sha) };
}

/**
 * Points each change (not linked by the API) whose merge commit is among `shas` at the first
 * deployment, in order of finishing, that shipped it, and recounts the deployments' changes.
 */
export async function relinkChanges(trx: Trx, repoId: number, shas: readonly string[]): Promise<void> {
  const recount = new Set<number>();
  for (let i = 0; i < shas.length; i += CHUNK) {
    const chunk = shas.slice(i, i + CHUNK);
    const changes = await trx.selectFrom('delivery_changes').select(['id', 'merge_sha', 'deployment_id'])
      .where('repo_id', '=', repoId).where('merge_sha', 'in', chunk).where('deployment_ref', 'is', null).where('state', '=', 'merged').execute();
    if (changes.length === 0) continue;
    const firsts = await firstDeploymentsOf(trx, repoId, [...new Set(changes.map((c) => c.merge_sha!))]);
    for (const change of changes) {
      const current = change.deployment_id === null ? null : Number(change.deployment_id);
      const wanted = firsts.get(change.merge_sha!) ?? null;
      if (current === wanted) continue;
      await trx.updateTable('delivery_changes').set({ deployment_id: wanted }).where('id', '=', change.id).execute();
      await refreshLeadOfChange(trx, Number(change.id));
      if (current !== null) recount.add(current);
      if (wanted !== null) recount.add(wanted);
    }
  }
  await recountChanges(trx, [...recount]);
}

/** For each sha, the first shipped deployment of the repository whose commits contain it. */
export async function firstDeploymentsOf(trx: Trx, repoId: number, shas: readonly string[]): Promise<Map<string, number>> {
  const firsts = new Map<string, number>();
  for (let i = 0; i < shas.length; i += CHUNK) {
    const rows = await trx.selectFrom('delivery_deployment_commits as dc').innerJoin('delivery_deployments as d', 'd.id', 'dc.deployment_id')
      .select(['dc.sha', 'd.id']).where('dc.repo_id', '=', repoId).where('dc.sha', 'in', shas.slice(i, i + CHUNK)).where('d.shipped_ms', 'is not', null)
      .orderBy('d.shipped_ms').orderBy('d.id').execute();
    for (const row of rows) if (!firsts.has(row.sha)) firsts.set(row.sha, Number(row.id));
  }
  return firsts;
}

/** Keeps delivery_deployments.changes equal to the number of changes pointing at each deployment. */
export async function recountChanges(trx: Trx, deploymentIds: readonly number[]): Promise<void> {
  for (let i = 0; i < deploymentIds.length; i += CHUNK) {
    const ids = deploymentIds.slice(i, i + CHUNK);
    await sql`update delivery_deployments set changes = (select count(*) from delivery_changes c where c.deployment_id = delivery_deployments.id) where id in (${sql.join(ids)})`.execute(trx);
  }
}
