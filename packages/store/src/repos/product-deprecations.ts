import type { Selectable } from '#kysely';
import type { Deprecation } from '@paved/model';
import type { StoreContext } from '../context.js';
import { compiledRead } from '../compiled.js';
import type { ProductDeprecationsTable } from '../schema-product-evolution.js';

/** The whole product's deprecation is stored under this version, so (product, version) stays a primary key. */
const WHOLE_PRODUCT = '';

function toDeprecation(row: Selectable<ProductDeprecationsTable>): Deprecation {
  return {
    product: row.product,
    ...(row.version === WHOLE_PRODUCT ? {} : { version: row.version }),
    date: row.sunset,
    reason: row.reason,
    by: row.deprecated_by,
    at: row.deprecated_at,
  };
}

// Read with every instance the API answers (its deprecation, product-evolution/deprecation-aware-instances.ts).
const allDeprecations = compiledRead((db) => db.selectFrom('product_deprecations').selectAll());
const deprecationsOf = compiledRead((db, product: string) => db.selectFrom('product_deprecations').selectAll().where('product', '=', product));

/** Deprecations with a date (migration 0018): of one version, or of a whole product. */
export function productDeprecationsRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;

  return {
    async setDeprecation(deprecation: Omit<Deprecation, 'at'>): Promise<Deprecation> {
      const row = {
        product: deprecation.product,
        version: deprecation.version ?? WHOLE_PRODUCT,
        sunset: deprecation.date,
        reason: deprecation.reason,
        deprecated_by: deprecation.by,
        deprecated_at: ctx.iso(),
      };
      await adapter.transaction(async (trx) => {
        await trx.deleteFrom('product_deprecations').where('product', '=', row.product).where('version', '=', row.version).execute();
        await trx.insertInto('product_deprecations').values(row).execute();
      });
      return toDeprecation(row);
    },

    async removeDeprecation(product: string, version: string | undefined): Promise<boolean> {
      const result = await db.deleteFrom('product_deprecations').where('product', '=', product).where('version', '=', version ?? WHOLE_PRODUCT).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async listDeprecations(product?: string): Promise<Deprecation[]> {
      const rows = product === undefined ? await allDeprecations(db) : await deprecationsOf(db, product);
      // Sorted here: the two dialects' collations may order '' and versions differently.
      return rows
        .sort((a, b) => (a.product === b.product ? (a.version < b.version ? -1 : a.version > b.version ? 1 : 0) : a.product < b.product ? -1 : 1))
        .map(toDeprecation);
    },

    async liveInstancesByTeamAndVersion(product: string): Promise<{ team: string; version: string; instances: number }[]> {
      const rows = await db
        .selectFrom('instances')
        .innerJoin('teams', 'teams.id', 'instances.team_id')
        .select((eb) => ['teams.name as team', 'instances.product_version as version', eb.fn.countAll().as('instances')])
        .where('instances.product', '=', product)
        .where('instances.parent_id', 'is', null)
        .where('instances.deletion_requested', '=', 0)
        .groupBy(['teams.name', 'instances.product_version'])
        .execute();
      return rows
        .map((r) => ({ team: r.team, version: r.version, instances: Number(r.instances) }))
        .sort((a, b) => (a.team === b.team ? (a.version < b.version ? -1 : 1) : a.team < b.team ? -1 : 1));
    },
  };
}
