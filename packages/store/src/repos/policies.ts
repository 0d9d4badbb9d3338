import { sql, type Kysely } from '#kysely';
import { ConflictError, InternalError, isSemver, type PolicyManifest } from '@paved/model';
import type { StoreContext } from '../context.js';
import { compiledRead } from '../compiled.js';
import type { Database, PolicyVersionsTable } from '../schema.js';
import { columnsOf } from '../table-columns.js';
import type { InstanceUsage, NewPolicyVersion, StoredPolicyVersion, UsageFilter } from '../types.js';

// Every create and change is judged against the policies and counts the team's instances: these
// statements are compiled once (compiled.ts) rather than built by Kysely for each request.
// Their columns listed, not `*`, so that PostgreSQL keeps them prepared (table-columns.ts).
const POLICY_VERSION_COLUMNS = columnsOf<PolicyVersionsTable>()(['name', 'version', 'owner', 'manifest', 'digest', 'applied_by', 'applied_at']);
const allPolicyVersions = compiledRead((db) => db.selectFrom('policy_versions').select(POLICY_VERSION_COLUMNS).orderBy('name'));
const policyVersionsNamed = compiledRead((db, name: string) => db.selectFrom('policy_versions').select(POLICY_VERSION_COLUMNS).where('name', '=', name).orderBy('name'));
const usageOf = compiledRead((db, teamId: string, product: string, plan: string, environment: string | null) => db
  .selectFrom('instances')
  .select([
    sql<number>`count(*)`.as('team'),
    sql<number>`coalesce(sum(case when product = ${product} then 1 else 0 end), 0)`.as('product'),
    sql<number>`coalesce(sum(case when product = ${product} and plan = ${plan} then 1 else 0 end), 0)`.as('plan'),
    sql<number>`coalesce(sum(case when product = ${product} and environment = ${environment} then 1 else 0 end), 0)`.as('environment'),
    sql<number>`coalesce(sum(case when environment = ${environment} then 1 else 0 end), 0)`.as('in_environment'),
  ])
  .where('team_id', '=', teamId));

/** Every version of every policy (or of `name`), read through `executor` (listPolicyVersions; gate-reads.ts reads them beside others). */
export async function policyVersionsOn(executor: Kysely<Database>, name?: string): Promise<StoredPolicyVersion[]> {
  const rows = name === undefined ? await allPolicyVersions(executor) : await policyVersionsNamed(executor, name);
  return rows.map((row) => ({
    name: row.name, version: row.version, owner: row.owner, manifest: JSON.parse(row.manifest) as PolicyManifest, digest: row.digest,
    appliedBy: row.applied_by, appliedAt: row.applied_at,
  }));
}

/** The team's instances counted the ways policies see them (instanceUsage), read through `executor`. */
export async function usageOn(executor: Kysely<Database>, filter: UsageFilter): Promise<InstanceUsage> {
  const [row] = await usageOf(executor, filter.teamId, filter.product, filter.plan, filter.environment ?? null);
  if (row === undefined) throw new InternalError('counting instances returned no row');
  return { team: Number(row.team), product: Number(row.product), plan: Number(row.plan), environment: Number(row.environment), inEnvironment: Number(row.in_environment) };
}

/**
 * Policy versions (migration 0019) are immutable like product versions: the same version again
 * is a no-op with the same digest and a conflict with another; the first version records the
 * owner team, later ones must name it.
 */
export function policiesRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;

  const find = (name: string, version: string, executor: Kysely<Database> = db) =>
    executor.selectFrom('policy_versions').select(['digest', 'owner']).where('name', '=', name).where('version', '=', version).executeTakeFirst();

  const existingOutcome = (existing: { digest: string }, incoming: NewPolicyVersion): 'unchanged' => {
    if (existing.digest === incoming.digest) return 'unchanged';
    throw new ConflictError(`Policy ${incoming.name} version ${incoming.version} is already applied with different content; apply a new version instead.`, {
      code: 'policy_version_exists', issues: [{ path: 'spec.version', message: 'is already applied with different content' }],
    });
  };

  return {
    async putPolicyVersion(input: NewPolicyVersion): Promise<'created' | 'unchanged'> {
      if (!isSemver(input.version)) throw new InternalError(`policy ${input.name}: ${JSON.stringify(input.version)} is not a semantic version`);
      try {
        return await adapter.transaction(async (trx) => {
          const first = await adapter.forUpdate(trx.selectFrom('policy_versions').select('owner').where('name', '=', input.name).limit(1)).executeTakeFirst();
          if (first !== undefined && first.owner !== input.owner) {
            throw new ConflictError(`Policy ${input.name} is owned by team "${first.owner}"; only its members (or a platform admin, keeping that owner) can apply new versions.`, {
              code: 'policy_owner_conflict', issues: [{ path: 'metadata.owner', message: `must be "${first.owner}", the policy's owner` }],
            });
          }
          const existing = await find(input.name, input.version, trx);
          if (existing) return existingOutcome(existing, input);
          await trx.insertInto('policy_versions').values({
            name: input.name, version: input.version, owner: input.owner, manifest: JSON.stringify(input.manifest), digest: input.digest,
            applied_by: input.appliedBy, applied_at: ctx.iso(),
          }).execute();
          return 'created' as const;
        });
      } catch (error) {
        if (!adapter.isUniqueViolation(error)) throw error;
        const winner = await find(input.name, input.version);
        if (winner) return existingOutcome(winner, input);
        throw error;
      }
    },

    /** Every version of every policy (or of one), by name; callers pick the highest semver. */
    listPolicyVersions: (name?: string): Promise<StoredPolicyVersion[]> => policyVersionsOn(db, name),

    /**
     * The team's instances counted the ways policies see them, in one query. Every instance
     * counts, parts of composites included, and those being deleted (they still hold resources).
     */
    instanceUsage: (filter: UsageFilter): Promise<InstanceUsage> => usageOn(db, filter),
  };
}
