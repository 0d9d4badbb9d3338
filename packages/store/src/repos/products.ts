import { compareSemverTotal, ConflictError, highestSemver, InternalError, isSemver, type ProductSummary, type ProductVersion } from '@paved/model';
import type { StoreContext } from '../context.js';
import { toProductVersion } from '../rows.js';

/**
 * Published product versions are immutable: publishing the same version again is a no-op when
 * the manifest's digest matches and a ConflictError when it does not. "Latest" is semver
 * precedence (@paved/model's semver, the manifest schema's), computed here rather than in SQL
 * because neither dialect orders semver.
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

  const latestVersion = async (name: string): Promise<string | undefined> => {
    const rows = await db.selectFrom('product_versions').select('version').where('name', '=', name).execute();
    return highestSemver(rows.map((r) => r.version));
  };

  return {
    async publishProductVersion(version: Omit<ProductVersion, 'publishedAt'>): Promise<'created' | 'unchanged'> {
      // Callers publish validated manifests; a version that is not semver here is a bug, and
      // stored it would make every listing of the product throw.
      if (!isSemver(version.version)) throw new InternalError(`product ${version.name}: ${JSON.stringify(version.version)} is not a semantic version`);
      const find = () =>
        db.selectFrom('product_versions').select('digest').where('name', '=', version.name).where('version', '=', version.version).executeTakeFirst();
      const existing = await find();
      if (existing) return existingOutcome(existing, version);
      try {
        await db
          .insertInto('product_versions')
          .values({
            name: version.name,
            version: version.version,
            manifest: JSON.stringify(version.manifest),
            digest: version.digest,
            published_at: ctx.iso(),
          })
          .execute();
        return 'created';
      } catch (error) {
        // Another publisher won the race between our read and insert: judge against its row.
        const winner = adapter.isUniqueViolation(error) ? await find() : undefined;
        if (!winner) throw error;
        return existingOutcome(winner, version);
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
      const rows = await db.selectFrom('product_versions').select(['name', 'version']).execute();
      const versionsByName = new Map<string, string[]>();
      for (const row of rows) versionsByName.set(row.name, [...(versionsByName.get(row.name) ?? []), row.version]);
      const summaries: ProductSummary[] = [];
      for (const [name, versions] of [...versionsByName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const latest = highestSemver(versions)!;
        const row = await db.selectFrom('product_versions').selectAll().where('name', '=', name).where('version', '=', latest).executeTakeFirstOrThrow();
        const { manifest } = toProductVersion(row);
        summaries.push({
          name,
          title: manifest.metadata.title,
          owner: manifest.metadata.owner,
          lifecycle: manifest.metadata.lifecycle,
          latestVersion: latest,
          description: manifest.spec.description,
          driver: manifest.spec.driver,
          plans: Object.keys(manifest.spec.plans ?? {}),
        });
      }
      return summaries;
    },
  };
}
