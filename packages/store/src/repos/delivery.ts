import { sql, type Kysely } from '#kysely';
import { compiledRead } from '../compiled.js';
import type { StoreContext } from '../context.js';
import type { Database } from '../schema.js';
import type {
  ChangeFact, DeliveryEventCounts, DeliveryFact, DeliveryRecord, DeliveryRepository, DeliveryRepositoryRef, DeliveryRules,
  DeliveryInboxDepth, DeploymentStatusFact, DrainedDeliveries, IssueFact, PushFact,
} from '../types.js';
import { firstDeploymentsOf, recountChanges, relinkDeployment, relinkGaps, relinkRepository } from './delivery-links.js';
import { recorderOf, updateRecord } from './delivery-owner.js';
import { groupCommit } from '../group-commit.js';
import { refreshLeadOfChange, refreshLeadsOfBranch, refreshLeadsOfDeployments } from './lead-time.js';

/**
 * Delivery events (migration 0011): each delivery's facts applied in one transaction, by the
 * facts' own identities and times, so that a redelivery changes nothing and deliveries may
 * arrive in any order. docs/metrics/dora.md says what each fact means for the metrics.
 */

type Trx = Kysely<Database>;
const ZERO_SHA = /^0+$/;
const CHUNK = 200;
const RULES_SETTING = 'rules';

/**
 * Accepting a webhook delivery is two inserts, compiled once (building and compiling statements
 * with Kysely was the largest part of ingestion's CPU time): its id into delivery_deliveries (a
 * redelivery inserts nothing and is answered "duplicate"), then its facts into the inbox.
 */
const rememberDelivery = compiledRead((db, source: string, deliveryId: string, event: string, at: string) => db.insertInto('delivery_deliveries')
  .values({ source, delivery_id: deliveryId, event, received_at: at })
  .onConflict((oc) => oc.columns(['source', 'delivery_id']).doNothing()).returning('delivery_id'));
/** The look-ups every applied fact makes, compiled once too (see above). */
const deploymentByKey = compiledRead((db, repoId: number, source: string, id: string) => db.selectFrom('delivery_deployments').selectAll()
  .where('repo_id', '=', repoId).where('source', '=', source).where('external_id', '=', id));
const changeByKey = compiledRead((db, repoId: number, source: string, id: string) => db.selectFrom('delivery_changes').selectAll()
  .where('repo_id', '=', repoId).where('source', '=', source).where('external_id', '=', id));
const changeLinks = compiledRead((db, id: number) => db.selectFrom('delivery_changes')
  .select(['head_ref', 'first_commit_given', 'deployment_id', 'deployment_ref', 'merge_sha', 'state', 'recorded_by']).where('id', '=', id));
const issueByKey = compiledRead((db, repoId: number, source: string, id: string) => db.selectFrom('delivery_issues').select(['id', 'updated_ms'])
  .where('repo_id', '=', repoId).where('source', '=', source).where('external_id', '=', id));
const insertPush = compiledRead((db, repoId: number, ref: string, before: string, after: string, pushedMs: number | null) => db.insertInto('delivery_pushes')
  .values({ repo_id: repoId, ref, before_sha: before, after_sha: after, pushed_ms: pushedMs })
  .onConflict((oc) => oc.columns(['repo_id', 'ref', 'before_sha', 'after_sha']).doNothing())
  .returning('id'));
const queueDelivery = compiledRead((db, source: string, event: string, facts: string, at: string) => db.insertInto('delivery_inbox')
  .values({ source, event, facts, received_at: at }));

interface EnvironmentRow {
  id: number;
  production: boolean;
}

/** Ordering of deployment states at the same instant: a terminal state outranks one still under way. */
const STATE_RANK: Readonly<Record<DeploymentStatusFact['state'], number>> = { pending: 0, inactive: 1, failure: 2, success: 2 };

export function deliveryRepo(ctx: StoreContext) {
  const { adapter } = ctx;
  /** Environment name → row; only rows known to be committed, and cleared when the rules change. */
  const environments = new Map<string, EnvironmentRow>();

  async function repositoryId(trx: Trx, ref: DeliveryRepositoryRef): Promise<number> {
    const find = () => adapter.forUpdate(trx.selectFrom('delivery_repositories').select(['id', 'default_branch'])
      .where('host', '=', ref.host).where('path', '=', ref.path)).executeTakeFirst();
    let row = await find();
    if (row === undefined) {
      await trx.insertInto('delivery_repositories')
        .values({ host: ref.host, path: ref.path, name: ref.name, default_branch: ref.defaultBranch ?? null, created_at: ctx.iso() })
        .onConflict((oc) => oc.columns(['host', 'path']).doNothing()).execute();
      row = await find();
      if (row === undefined) throw new Error(`repository ${ref.host}/${ref.path} vanished`);
    } else if (ref.defaultBranch !== undefined && row.default_branch !== ref.defaultBranch) {
      await trx.updateTable('delivery_repositories').set({ default_branch: ref.defaultBranch }).where('id', '=', row.id).execute();
    }
    return Number(row.id);
  }

  async function environmentOf(trx: Trx, name: string, rules: DeliveryRules, seen: Map<string, EnvironmentRow>): Promise<EnvironmentRow> {
    const known = environments.get(name) ?? seen.get(name);
    if (known) return known;
    await trx.insertInto('delivery_environments').values({ name, production: rules.isProduction(name) ? 1 : 0 })
      .onConflict((oc) => oc.column('name').doNothing()).execute();
    const row = await trx.selectFrom('delivery_environments').select(['id', 'production']).where('name', '=', name).executeTakeFirstOrThrow();
    const env = { id: Number(row.id), production: Number(row.production) === 1 };
    seen.set(name, env);
    return env;
  }

  async function applyPush(trx: Trx, repoId: number, fact: PushFact): Promise<void> {
    // A deleted branch brings no commits.
    if (ZERO_SHA.test(fact.after)) return;
    const [inserted] = await insertPush(trx, repoId, fact.branch, fact.before, fact.after, fact.pushedAt ?? null);
    if (inserted === undefined) return;
    const pushId = Number(inserted.id);
    for (let i = 0; i < fact.commits.length; i += CHUNK) {
      await trx.insertInto('delivery_push_commits').values(fact.commits.slice(i, i + CHUNK).map((c, j) => ({
        push_id: pushId, repo_id: repoId, position: i + j, sha: c.sha, at_ms: c.at ?? null, is_distinct: c.distinct ? 1 : 0,
      }))).execute();
    }
    await refreshFirstCommits(trx, repoId, fact.branch);
    await relinkGaps(trx, repoId, [fact.after, ...fact.commits.map((c) => c.sha)]);
  }

  async function applyDeploymentStatus(trx: Trx, repoId: number, fact: DeploymentStatusFact, rules: DeliveryRules, seen: Map<string, EnvironmentRow>): Promise<void> {
    const team = recorderOf(fact);
    const [existing] = await deploymentByKey(trx, repoId, fact.source, fact.id);
    const environment = existing && !fact.replace
      ? { id: Number(existing.environment_id), production: await isProductionEnvironment(trx, Number(existing.environment_id)) }
      : await environmentOf(trx, fact.environment, rules, seen);
    const factSuccess = fact.state === 'success' ? fact.at : null;
    let status: { status: string; status_ms: number; status_seq: number };
    let successMs: number | null;
    if (existing === undefined || fact.replace) {
      status = { status: fact.state, status_ms: fact.at, status_seq: fact.seq };
      successMs = factSuccess;
    } else {
      const old = { at: Number(existing.status_ms), seq: Number(existing.status_seq), rank: STATE_RANK[existing.status as DeploymentStatusFact['state']] ?? 0 };
      const newer = fact.at > old.at || (fact.at === old.at && (fact.seq > old.seq || (fact.seq === old.seq && STATE_RANK[fact.state] > old.rank)));
      status = newer ? { status: fact.state, status_ms: fact.at, status_seq: fact.seq } : { status: existing.status, status_ms: old.at, status_seq: old.seq };
      const oldSuccess = existing.success_ms === null ? null : Number(existing.success_ms);
      successMs = factSuccess === null ? oldSuccess : oldSuccess === null ? factSuccess : Math.max(oldSuccess, factSuccess);
    }
    const { result, finished } = outcomeOf(status.status as DeploymentStatusFact['state'], status.status_ms, successMs);
    const shipped = result === 'success' && environment.production ? finished : null;
    const keep = existing !== undefined && !fact.replace;
    const startedMs = keep && existing.started_ms !== null ? Number(existing.started_ms) : fact.startedAt ?? null;
    const values = {
      environment_id: environment.id,
      sha: keep ? existing.sha ?? fact.sha ?? null : fact.sha ?? null,
      ref: keep ? existing.ref ?? fact.ref ?? null : fact.ref ?? null,
      started_ms: startedMs,
      ...status,
      success_ms: successMs,
      result,
      finished_ms: finished,
      shipped_ms: shipped,
      ...(team === undefined ? {} : { recorded_by: team }),
    };
    let id: number;
    if (existing === undefined) {
      const row = await trx.insertInto('delivery_deployments')
        .values({ repo_id: repoId, source: fact.source, external_id: fact.id, ...values }).returning('id').executeTakeFirstOrThrow();
      id = Number(row.id);
      if (team !== undefined) await linkNamedChanges(trx, repoId, fact.id, id, team);
    } else {
      id = Number(existing.id);
      await updateRecord(trx.updateTable('delivery_deployments').set(values).where('id', '=', id), team, 'deployment', fact.id);
    }
    const before = existing?.shipped_ms === null || existing === undefined ? null : Number(existing.shipped_ms);
    const shaChanged = existing !== undefined && existing.sha !== values.sha;
    if (before !== shipped || (shaChanged && shipped !== null)) await relinkDeployment(trx, repoId, id, before, shipped);
  }

  async function isProductionEnvironment(trx: Trx, environmentId: number): Promise<boolean> {
    for (const env of environments.values()) if (env.id === environmentId) return env.production;
    const row = await trx.selectFrom('delivery_environments').select('production').where('id', '=', environmentId).executeTakeFirstOrThrow();
    return Number(row.production) === 1;
  }

  async function applyChange(trx: Trx, repoId: number, fact: ChangeFact): Promise<void> {
    const team = recorderOf(fact);
    const [existing] = await changeByKey(trx, repoId, fact.source, fact.id);
    const merged = fact.state === 'merged';
    let id: number;
    if (existing === undefined) {
      const row = await trx.insertInto('delivery_changes').values({
        repo_id: repoId, source: fact.source, external_id: fact.id, title: fact.title ?? null, head_ref: fact.headBranch ?? null,
        merge_sha: merged ? fact.mergeSha ?? null : null, state: fact.state, opened_ms: fact.openedAt ?? null,
        merged_ms: merged ? fact.mergedAt ?? null : null, first_commit_ms: fact.firstCommitAt ?? null,
        first_commit_given: fact.firstCommitAt === undefined ? 0 : 1, updated_ms: fact.at, deployment_id: null, deployment_ref: fact.deployment ?? null,
        recorded_by: team ?? null,
      }).returning('id').executeTakeFirstOrThrow();
      id = Number(row.id);
    } else {
      id = Number(existing.id);
      if (fact.replace || fact.at >= Number(existing.updated_ms)) {
        await updateRecord(trx.updateTable('delivery_changes').set({
          title: fact.title ?? existing.title,
          head_ref: fact.headBranch ?? existing.head_ref,
          state: fact.state,
          merge_sha: merged ? fact.mergeSha ?? existing.merge_sha : null,
          opened_ms: fact.openedAt ?? existing.opened_ms,
          merged_ms: merged ? fact.mergedAt ?? existing.merged_ms : null,
          ...(fact.firstCommitAt !== undefined ? { first_commit_ms: fact.firstCommitAt, first_commit_given: 1 } : fact.replace ? { first_commit_given: 0 } : {}),
          updated_ms: fact.at,
          deployment_ref: fact.replace ? fact.deployment ?? null : fact.deployment ?? existing.deployment_ref,
          ...(team === undefined ? {} : { recorded_by: team }),
        }).where('id', '=', id), team, 'change', fact.id);
      } else {
        // An older event: it may still know what no newer one said (GitLab sends the merge time only with the merge).
        await updateRecord(trx.updateTable('delivery_changes').set({
          head_ref: existing.head_ref ?? fact.headBranch ?? null,
          opened_ms: existing.opened_ms ?? fact.openedAt ?? null,
          ...(existing.state === 'merged' ? { merge_sha: existing.merge_sha ?? fact.mergeSha ?? null, merged_ms: existing.merged_ms ?? fact.mergedAt ?? null } : {}),
        }).where('id', '=', id), team, 'change', fact.id);
      }
    }
    const [change] = await changeLinks(trx, id);
    if (change === undefined) throw new Error(`change ${id} vanished`);
    if (change.head_ref !== null && Number(change.first_commit_given) === 0) await refreshFirstCommits(trx, repoId, change.head_ref, id);
    let wanted: number | null = null;
    if (change.deployment_ref !== null) {
      // Only a deployment the change's own team recorded: a team never links its changes to another's.
      const named = change.recorded_by === null ? undefined : await trx.selectFrom('delivery_deployments').select('id')
        .where('repo_id', '=', repoId).where('source', '=', 'api').where('external_id', '=', change.deployment_ref)
        .where('recorded_by', '=', change.recorded_by).executeTakeFirst();
      wanted = named === undefined ? null : Number(named.id);
    } else if (change.state === 'merged' && change.merge_sha !== null) {
      wanted = (await firstDeploymentsOf(trx, repoId, [change.merge_sha])).get(change.merge_sha) ?? null;
    }
    const current = change.deployment_id === null ? null : Number(change.deployment_id);
    if (current !== wanted) {
      await trx.updateTable('delivery_changes').set({ deployment_id: wanted }).where('id', '=', id).execute();
      await recountChanges(trx, [current, wanted].filter((d): d is number => d !== null));
    }
    await refreshLeadOfChange(trx, id);
  }

  async function applyIssue(trx: Trx, repoId: number, fact: IssueFact, rules: DeliveryRules): Promise<void> {
    const team = recorderOf(fact);
    const [existing] = await issueByKey(trx, repoId, fact.source, fact.id);
    if (existing !== undefined && !fact.replace && fact.at < Number(existing.updated_ms)) return;
    const values = {
      title: fact.title ?? null,
      labels: JSON.stringify(fact.labels),
      incident: fact.incident === true || rules.isIncident(fact.labels) ? 1 : 0,
      state: fact.state,
      created_ms: fact.createdAt,
      resolved_ms: fact.state === 'open' ? null : fact.resolvedAt ?? null,
      updated_ms: fact.at,
      ...(team === undefined ? {} : { recorded_by: team }),
    };
    if (existing === undefined) {
      await trx.insertInto('delivery_issues').values({ repo_id: repoId, source: fact.source, external_id: fact.id, ...values }).execute();
    } else {
      await updateRecord(trx.updateTable('delivery_issues').set(values).where('id', '=', existing.id), team, 'incident', fact.id);
    }
  }

  async function applyFact(trx: Trx, fact: DeliveryFact, rules: DeliveryRules, seen: Map<string, EnvironmentRow>, repoIds: ReadonlyMap<string, number>): Promise<void> {
    const repoId = repoIds.get(repoKey(fact.repo)) ?? await repositoryId(trx, fact.repo);
    switch (fact.kind) {
      case 'push': return applyPush(trx, repoId, fact);
      case 'deployment-status': return applyDeploymentStatus(trx, repoId, fact, rules, seen);
      case 'change': return applyChange(trx, repoId, fact);
      case 'issue': return applyIssue(trx, repoId, fact, rules);
    }
  }

  interface Write {
    delivery: DeliveryRecord;
    rules: DeliveryRules;
    /** Environments this delivery saw first: remembered once it committed. */
    seen: Map<string, EnvironmentRow>;
    /** The batch's repositories, found (and locked) once by `prepare`. */
    repoIds: Map<string, number>;
  }

  const record = groupCommit<Write, 'recorded' | 'duplicate'>({
    transaction: (fn) => adapter.transaction(fn),
    prepare: (trx, writes) => prepareBatch(trx, writes),
    async apply(trx, { delivery, rules, seen, repoIds }) {
      if (delivery.deliveryId !== undefined) {
        const inserted = await rememberDelivery(trx, delivery.source, delivery.deliveryId, delivery.event, ctx.iso());
        if (inserted.length === 0) return 'duplicate';
      }
      for (const fact of delivery.facts) await applyFact(trx, fact, rules, seen, repoIds);
      return 'recorded';
    },
    committed({ seen }) {
      for (const [name, env] of seen) environments.set(name, env);
    },
  });

  /** Batch preparation shared by both paths: the repositories (locked on PostgreSQL) and new environments, each in one order. */
  async function prepareBatch(trx: Trx, writes: readonly Write[]): Promise<void> {
    const repos = new Map(writes.flatMap((w) => w.delivery.facts.map((f) => [repoKey(f.repo), f.repo] as const)));
    const ids = new Map<string, number>();
    for (const key of [...repos.keys()].sort()) ids.set(key, await repositoryId(trx, repos.get(key)!));
    for (const write of writes) write.repoIds = ids;
    const names = new Set(writes.flatMap((w) => w.delivery.facts.flatMap((f) => (f.kind === 'deployment-status' ? [f.environment] : []))));
    for (const name of [...names].sort()) if (!environments.has(name)) await environmentOf(trx, name, writes[0]!.rules, writes[0]!.seen);
  }

  const enqueue = groupCommit<DeliveryRecord, 'queued' | 'duplicate'>({
    transaction: (fn) => adapter.transaction(fn),
    async prepare() {},
    async apply(trx, delivery) {
      const at = ctx.iso();
      if (delivery.deliveryId !== undefined) {
        const inserted = await rememberDelivery(trx, delivery.source, delivery.deliveryId, delivery.event, at);
        if (inserted.length === 0) return 'duplicate';
      }
      await queueDelivery(trx, delivery.source, delivery.event, JSON.stringify(delivery.facts), at);
      return 'queued';
    },
  });

  /** Applies the oldest waiting deliveries (up to `upTo`, by id) in one transaction; see DeliveryRepositoryOps.applyQueuedDeliveries. */
  async function applyQueued(rules: DeliveryRules, options: { limit: number; upTo?: number }): Promise<DrainedDeliveries> {
    const seen = new Map<string, EnvironmentRow>();
    const result = await adapter.transaction(async (trx) => {
      let query = trx.selectFrom('delivery_inbox').select(['id', 'source', 'event', 'facts']).where('error', 'is', null);
      if (options.upTo !== undefined) query = query.where('id', '<=', options.upTo);
      // Two API processes drain side by side on PostgreSQL: each takes rows the other has not locked.
      const rows = await adapter.skipLocked(query.orderBy('id').limit(options.limit)).execute();
      if (rows.length === 0) return { applied: 0, failed: 0 };
      const writes: Write[] = rows.map((row) => ({
        delivery: { source: row.source as DeliveryRecord['source'], event: row.event, facts: JSON.parse(row.facts) as DeliveryFact[] },
        rules, seen, repoIds: new Map(),
      }));
      await prepareBatch(trx, writes);
      const done: number[] = [];
      const failed: { id: number; error: string }[] = [];
      for (const [i, write] of writes.entries()) {
        const id = Number(rows[i]!.id);
        await sql`savepoint paved_inbox`.execute(trx);
        try {
          for (const fact of write.delivery.facts) await applyFact(trx, fact, rules, seen, write.repoIds);
          done.push(id);
        } catch (error) {
          await sql`rollback to savepoint paved_inbox`.execute(trx);
          failed.push({ id, error: error instanceof Error ? error.message.slice(0, 1000) : String(error) });
        }
        await sql`release savepoint paved_inbox`.execute(trx);
      }
      for (let i = 0; i < done.length; i += 500) await trx.deleteFrom('delivery_inbox').where('id', 'in', done.slice(i, i + 500)).execute();
      for (const f of failed) await trx.updateTable('delivery_inbox').set({ error: f.error }).where('id', '=', f.id).execute();
      return { applied: done.length, failed: failed.length };
    });
    for (const [name, env] of seen) environments.set(name, env);
    return result;
  }

  return {
    recordDelivery(delivery: DeliveryRecord, rules: DeliveryRules): Promise<'recorded' | 'duplicate'> {
      return record({ delivery, rules, seen: new Map(), repoIds: new Map() });
    },

    queueDelivery(delivery: DeliveryRecord): Promise<'queued' | 'duplicate'> {
      return enqueue(delivery);
    },

    applyQueuedDeliveries: applyQueued,

    async deliveryInboxDepth(): Promise<DeliveryInboxDepth> {
      const row = await ctx.db.selectFrom('delivery_inbox')
        .select((eb) => [
          eb.fn.count<number>('id').filterWhere('error', 'is', null).as('waiting'),
          eb.fn.count<number>('id').filterWhere('error', 'is not', null).as('failed'),
          eb.fn.min('id').filterWhere('error', 'is', null).as('first'),
          eb.fn.max('id').filterWhere('error', 'is', null).as('last'),
        ]).executeTakeFirstOrThrow();
      const id = (value: unknown) => (value === null || value === undefined ? null : Number(value));
      return { waiting: Number(row.waiting), failed: Number(row.failed), oldestWaiting: id(row.first), lastWaiting: id(row.last) };
    },

    async applyDeliveryRules(rules: DeliveryRules): Promise<boolean> {
      const changed = await adapter.transaction(async (trx) => {
        const recorded = await trx.selectFrom('delivery_settings').select('value').where('name', '=', RULES_SETTING).executeTakeFirst();
        if (recorded?.value === rules.fingerprint) return false;
        await reclassifyEnvironments(trx, rules);
        await reclassifyIssues(trx, rules);
        await trx.insertInto('delivery_settings').values({ name: RULES_SETTING, value: rules.fingerprint })
          .onConflict((oc) => oc.column('name').doUpdateSet({ value: rules.fingerprint })).execute();
        return true;
      });
      if (changed) environments.clear();
      return changed;
    },

    async listDeliveryRepositories(): Promise<DeliveryRepository[]> {
      const rows = await ctx.db.selectFrom('delivery_repositories').select(['id', 'host', 'path', 'name', 'default_branch']).orderBy('id').execute();
      return rows.map((r) => ({ id: Number(r.id), host: r.host, path: r.path, name: r.name, ...(r.default_branch === null ? {} : { defaultBranch: r.default_branch }) }));
    },

    async countDeliveryEvents(repositoryIds: readonly number[]): Promise<DeliveryEventCounts[]> {
      if (repositoryIds.length === 0) return [];
      const ids = [...repositoryIds];
      const [deployments, changes, incidents] = await Promise.all([
        ctx.db.selectFrom('delivery_deployments').select(['repo_id', (eb) => eb.fn.countAll().as('n')])
          .where('repo_id', 'in', ids).where('shipped_ms', 'is not', null).groupBy('repo_id').execute(),
        ctx.db.selectFrom('delivery_changes').select(['repo_id', (eb) => eb.fn.countAll().as('n')]).where('repo_id', 'in', ids).groupBy('repo_id').execute(),
        ctx.db.selectFrom('delivery_issues').select(['repo_id', (eb) => eb.fn.countAll().as('n')])
          .where('repo_id', 'in', ids).where('incident', '=', 1).where('state', '!=', 'deleted').groupBy('repo_id').execute(),
      ]);
      const count = (rows: { repo_id: number; n: unknown }[], id: number) => Number(rows.find((r) => Number(r.repo_id) === id)?.n ?? 0);
      return ids.map((id) => ({ repositoryId: id, deployments: count(deployments, id), changes: count(changes, id), incidents: count(incidents, id) }));
    },
  };
}

function repoKey(repo: DeliveryRepositoryRef): string {
  return `${repo.host} ${repo.path}`;
}

/** A deployment's result and finish from its latest status (docs/metrics/dora.md "Deployments"). */
function outcomeOf(state: DeploymentStatusFact['state'], statusMs: number, successMs: number | null): { result: string; finished: number | null } {
  switch (state) {
    case 'success': return { result: 'success', finished: successMs ?? statusMs };
    // GitHub marks a deployment inactive when a newer one replaces it: it succeeded if it ever had a success status.
    case 'inactive': return successMs === null ? { result: 'pending', finished: null } : { result: 'success', finished: successMs };
    case 'failure': return { result: 'failure', finished: statusMs };
    default: return { result: 'pending', finished: null };
  }
}

/**
 * The earliest distinct commit pushed to the change's branch, no later than its merge: when the
 * work on it began. Recomputed for the branch's changes whenever a push to the branch arrives.
 */
async function refreshFirstCommits(trx: Trx, repoId: number, branch: string, changeId?: number): Promise<void> {
  let query = trx.updateTable('delivery_changes')
    .set((eb) => ({
      first_commit_ms: eb.selectFrom('delivery_push_commits as c').innerJoin('delivery_pushes as p', 'p.id', 'c.push_id')
        .select((s) => s.fn.min('c.at_ms').as('first'))
        .where('p.repo_id', '=', repoId).where('p.ref', '=', branch).where('c.is_distinct', '=', 1).where('c.at_ms', 'is not', null)
        .where((w) => w.or([w('delivery_changes.merged_ms', 'is', null), w('c.at_ms', '<=', w.ref('delivery_changes.merged_ms'))])),
    }))
    .where('repo_id', '=', repoId).where('head_ref', '=', branch).where('first_commit_given', '=', 0);
  if (changeId !== undefined) query = query.where('id', '=', changeId);
  await query.execute();
  await refreshLeadsOfBranch(trx, repoId, branch);
}

/** An API deployment arrived: the changes its team recorded naming it are now linked to it (never another team's). */
async function linkNamedChanges(trx: Trx, repoId: number, externalId: string, deploymentId: number, team: string): Promise<void> {
  const named = await trx.selectFrom('delivery_changes').select(['id', 'deployment_id'])
    .where('repo_id', '=', repoId).where('deployment_ref', '=', externalId).where('recorded_by', '=', team).execute();
  if (named.length === 0) return;
  await trx.updateTable('delivery_changes').set({ deployment_id: deploymentId })
    .where('repo_id', '=', repoId).where('deployment_ref', '=', externalId).where('recorded_by', '=', team).execute();
  const previous = named.map((c) => c.deployment_id).filter((d): d is number => d !== null).map(Number);
  await recountChanges(trx, [...new Set([deploymentId, ...previous])]);
  await refreshLeadsOfDeployments(trx, [deploymentId]);
}

async function reclassifyEnvironments(trx: Trx, rules: DeliveryRules): Promise<void> {
  const rows = await trx.selectFrom('delivery_environments').select(['id', 'name', 'production']).execute();
  const flipped = rows.filter((r) => (Number(r.production) === 1) !== rules.isProduction(r.name));
  if (flipped.length === 0) return;
  for (const env of flipped) {
    const production = rules.isProduction(env.name);
    await trx.updateTable('delivery_environments').set({ production: production ? 1 : 0 }).where('id', '=', env.id).execute();
    await trx.updateTable('delivery_deployments')
      .set((eb) => ({ shipped_ms: production ? eb.case().when('result', '=', 'success').then(eb.ref('finished_ms')).else(null).end() : null }))
      .where('environment_id', '=', env.id).execute();
  }
  const repos = await trx.selectFrom('delivery_deployments').select('repo_id').distinct()
    .where('environment_id', 'in', flipped.map((e) => e.id)).execute();
  for (const repo of repos) await relinkRepository(trx, Number(repo.repo_id));
}

async function reclassifyIssues(trx: Trx, rules: DeliveryRules): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = await trx.selectFrom('delivery_issues').select(['id', 'labels', 'incident'])
      .where('id', '>', after).where('source', '!=', 'api').orderBy('id').limit(1000).execute();
    if (rows.length === 0) return;
    for (const row of rows) {
      const incident = rules.isIncident(JSON.parse(row.labels) as string[]) ? 1 : 0;
      if (incident !== Number(row.incident)) await trx.updateTable('delivery_issues').set({ incident }).where('id', '=', row.id).execute();
    }
    after = Number(rows.at(-1)!.id);
  }
}
