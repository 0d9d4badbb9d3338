import type { StoreContext } from '../context.js';
import type { SecretEnvelopeRow } from '../types.js';

/** Encrypted envelopes only: @paved/secrets encrypts before calling, so nothing here is plaintext. */
export function secretsRepo(ctx: StoreContext) {
  return {
    async putSecret(row: Omit<SecretEnvelopeRow, 'updatedAt'>): Promise<void> {
      const updatedAt = ctx.iso();
      await ctx.db
        .insertInto('secrets')
        .values({ owner_id: row.ownerId, name: row.name, envelope: row.envelope, updated_at: updatedAt })
        .onConflict((oc) => oc.columns(['owner_id', 'name']).doUpdateSet({ envelope: row.envelope, updated_at: updatedAt }))
        .execute();
    },

    async getSecret(ownerId: string, name: string): Promise<SecretEnvelopeRow | undefined> {
      const row = await ctx.db.selectFrom('secrets').selectAll().where('owner_id', '=', ownerId).where('name', '=', name).executeTakeFirst();
      return row && { ownerId: row.owner_id, name: row.name, envelope: row.envelope, updatedAt: row.updated_at };
    },

    async deleteSecrets(ownerId: string): Promise<void> {
      await ctx.db.deleteFrom('secrets').where('owner_id', '=', ownerId).execute();
    },

    async deleteSecret(ownerId: string, name: string): Promise<void> {
      await ctx.db.deleteFrom('secrets').where('owner_id', '=', ownerId).where('name', '=', name).execute();
    },
  };
}
