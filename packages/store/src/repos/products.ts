import { compareSemverTotal, ConflictError, InternalError, isSemver, latestVersionOf, NotFoundError, type ProductSummary, type ProductVersion } from '@paved/model';
import type { Kysely } from '#kysely';
import type { StoreContext } from '../context.js';
import type { Database } from '../schema.js';
import { toProductVersion } from '../rows.js';
import { compiledRead } from '../compiled.js';

/** A product's versions, for its latest: every request that names no version asks (compiled once, compiled.ts). */
const versionsOf = compiledRead((db, name: string) => db.selectFrom('product_versions').select('version').where('name', '=', name));

/** The latest version of product `name` (latestProductVersion), read through `executor` (gate-reads.ts reads it beside others). */
export async function latestVersionOn(executor: Kysely<Database>, name: string): Promise<string | undefined> {
  const rows = await versionsOf(executor, name);
  return latestVersionOf(rows.map((r) => r.version));
}

/**
 * Published product versions are immutable: publishing the same version again is a no-op when
 * the manifest's digest matches and a ConflictError when it does not. "Latest" is semver
 * precedence (@paved/model's semver, the manifest schema's) over releases: a pre-release is
 * latest only for a product that has nothing else (latestVersionOf). Computed here rather than
 * in SQL because neither dialect orders semver.
 */
export function productsRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;

  const existingOutcome = (existing: { digest: string }, incoming: Omit<ProductVersion, 'publishedAt'>): 'unchanged' => {
    if (existing.digest === incoming.digest) return 'unchanged';
    throw new ConflictError(
      `Product ${incoming.name} version ${incoming.version} is already published with a different manifest; publish a new version instead.`,
      { code: 'product_version_exists', issues: [{ path: 'spec.version', message: 'is already published with a different manifest' }] },
    );
  };

  const latestVersion = (name: string) => latestVersionOn(db, name);

  return {
    /**
     * Publishes a version owned by the team its manifest names. The first version of a product
     * records that team as its owner; every later one must name the same team, whoever calls
     * (defence in depth behind the API's authorization): ownership moves only by transferProduct.
     */
    async publishProductVersion(version: Omit<ProductVersion, 'publishedAt'>): Promise<'created' | 'unchanged'> {
      // Callers publish validated manifests; a version that is not semver here is a bug, and
      // stored it would make every listing of the product throw.
      if (!isSemver(version.version)) throw new InternalError(`product ${version.name}: ${JSON.stringify(version.version)} is not a semantic version`);
      const find = (trx = db) =>
        trx.selectFrom('product_versions').select('digest').where('name', '=', version.name).where('version', '=', version.version).executeTakeFirst();
      const owner = version.manifest.metadata.owner;
      try {
        return await adapter.transaction(async (trx) => {
          const recorded = await adapter.forUpdate(trx.selectFrom('products').select('owner').where('name', '=', version.name)).executeTakeFirst();
          if (recorded === undefined) {
            await trx.insertInto('products').values({ name: version.name, owner, created_at: ctx.iso() }).execute();
          } else if (recorded.owner !== owner) {
            throw new ConflictError(
              `Product ${version.name} is owned by team "${recorded.owner}"; only a platform admin can move it to another team (paved products transfer).`,
              { code: 'product_owner_conflict', issues: [{ path: 'metadata.owner', message: `must be "${recorded.owner}", the product's owner` }] },
            );
          }
          const existing = await find(trx);
          if (existing) return existingOutcome(existing, version);
          await trx
            .insertInto('product_versions')
            .values({
              name: version.name,
              version: version.version,
              manifest: JSON.stringify(version.manifest),
              digest: version.digest,
              published_at: ctx.iso(),
            })
            .execute();
          return 'created' as const;
        });
      } catch (error) {
        // Another publisher won the race for the same new product or version: judge against its row.
        if (!adapter.isUniqueViolation(error)) throw error;
        const winner = await find();
        if (winner) return existingOutcome(winner, version);
        throw error;
      }
    },

    /** The name of the team that owns a product; undefined when the product does not exist. */
    async getProductOwner(name: string): Promise<string | undefined> {
      return (await db.selectFrom('products').select('owner').where('name', '=', name).executeTakeFirst())?.owner;
    },

    /** Moves a product to another owner team (a platform admin's decision; the caller checks the team). */
    async transferProduct(name: string, owner: string): Promise<void> {
      const result = await db.updateTable('products').set({ owner }).where('name', '=', name).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) {
        throw new NotFoundError(`Product "${name}" does not exist; see the catalog with: paved products`, { code: 'product_not_found', issues: [{ path: 'product', message: 'no such product' }] });
      }
    },

    latestProductVersion: (name: string) => latestVersion(name),

    async getProductVersion(name: string, version?: string): Promise<ProductVersion | undefined> {
      const wanted = version ?? (await latestVersion(name));
      if (wanted === undefined) return undefined;
      const row = await db.selectFrom('product_versions').selectAll().where('name', '=', name).where('version', '=', wanted).executeTakeFirst();
      return row && toProductVersion(row);
    },

    async listProductVersions(name: string): Promise<ProductVersion[]> {
      const rows = await db.selectFrom('product_versions').selectAll().where('name', '=', name).execute();
      return rows.map(toProductVersion).sort((a, b) => compareSemverTotal(a.version, b.version));
    },

    async listProducts(): Promise<ProductSummary[]> {
      // One read of every version (a query per product made the catalog of 1,000 products slow);
      // only each product's latest manifest is parsed.
      const rows = await db.selectFrom('product_versions').selectAll().execute();
      const owners = new Map((await db.selectFrom('products').select(['name', 'owner']).execute()).map((r) => [r.name, r.owner]));
      const rowsByName = new Map<string, typeof rows>();
      for (const row of rows) {
        const list = rowsByName.get(row.name);
        if (list) list.push(row);
        else rowsByName.set(row.name, [row]);
      }
      const summaries: ProductSummary[] = [];
      for (const [name, versions] of [...rowsByName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        // The highest release, a pre-release only for a product that has nothing else (latestVersionOf).
        const latest = latestVersionOf(versions.map((v) => v.version))!;
        const { manifest } = toProductVersion(versions.find((v) => v.version === latest)!);
        summaries.push({
          name,
          title: manifest.metadata.title,
          owner: owners.get(name) ?? manifest.metadata.owner,
          lifecycle: manifest.metadata.lifecycle,
          latestVersion: latest,
          description: manifest.spec.description,
          driver: manifest.spec.driver,
          plans: Object.keys(manifest.spec.plans ?? {}),
          tags: manifest.metadata.tags ?? [],
        });
      }
      return summaries;
    },
  };
}
