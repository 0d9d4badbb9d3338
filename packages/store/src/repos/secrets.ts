import type { Kysely } from '#kysely';
import type { StoreContext } from '../context.js';
import type { DialectAdapter } from '../dialect/adapter.js';
import { compiledChange, compiledRead } from '../compiled.js';
import type { Database, SecretsTable } from '../schema.js';
import type { ActiveMasterKey, SecretEnvelopeRow, SecretWriteOutcome, WriteOptions } from '../types.js';
import { secretUpserts } from './secret-upserts.js';
import { combinedOrAlone } from '../combined-write.js';
import { columnsOf } from '../table-columns.js';
import { flushedLaterCondition } from '../dialect/flushed-later.js';

export const KEYRING_ROW = 1;

/** Listed, not `*`: the reveal's read is prepared on PostgreSQL (table-columns.ts). */
const SECRET_COLUMNS = columnsOf<SecretsTable>()(['owner_id', 'name', 'envelope', 'updated_at', 'key_id']);
const secretByName = compiledRead((db, ownerId: string, name: string) => db.selectFrom('secrets').select(SECRET_COLUMNS).where('owner_id', '=', ownerId).where('name', '=', name));

export function toSecretRow(row: SecretsTable): SecretEnvelopeRow {
  return { ownerId: row.owner_id, name: row.name, envelope: row.envelope, keyId: row.key_id ?? '', updatedAt: row.updated_at };
}

/**
 * What every pass of the engine writes (its generated secrets and credentials), compiled once
 * (compiled.ts): the upsert, unless the keyring names another active key than the envelope's,
 * in one statement (on PostgreSQL one round trip instead of two). The keyring row is read
 * under a shared lock (the CTE, evaluated whatever its key), so writes of secrets do not wait
 * for each other's commits but a master-key switch waits for them. Returns how many rows it
 * wrote (1, or 0 under another key): counted, no RETURNING (compiledChange).
 */
export const upsertUnderActiveKeyOf = (adapter: DialectAdapter, flushedLater: boolean) => compiledChange((db, keyring: number, ownerId: string, name: string, envelope: string, keyId: string, updatedAt: string) => db
  .with('active', (qb) => adapter.forShare(qb.selectFrom('keyring').select('active_key_id').where('id', '=', keyring)))
  .insertInto('secrets')
  .columns(['owner_id', 'name', 'envelope', 'key_id', 'updated_at'])
  .expression((db as unknown as Kysely<Database & { active: { active_key_id: string } }>)
    .selectNoFrom((eb) => [eb.val(ownerId).as('owner_id'), eb.val(name).as('name'), eb.val(envelope).as('envelope'), eb.val(keyId).as('key_id'), eb.val(updatedAt).as('updated_at')])
    .where((eb) => eb.not(eb.exists(eb.selectFrom('active').select('active_key_id').where('active_key_id', '<>', keyId))))
    .$if(flushedLater, (qb) => qb.where(flushedLaterCondition())))
  .onConflict((oc) => oc.columns(['owner_id', 'name']).doUpdateSet((eb) => ({ envelope: eb.ref('excluded.envelope'), key_id: eb.ref('excluded.key_id'), updated_at: eb.ref('excluded.updated_at') }))));

/** Encrypted envelopes only: @paved/secrets encrypts before calling, so nothing here is plaintext. */
export function secretsRepo(ctx: StoreContext) {
  /**
   * The active key id, read under a lock that `activateMasterKey` also takes: on PostgreSQL a
   * row lock on the one keyring row (a write holding it finishes before the switch, and one that
   * waits for it reads the new key), on SQLite the write lock every transaction takes. Writes
   * of secrets take it shared (activeKeyShared), so they do not wait for each other's commits.
   */
  async function lockedActiveKey(trx: Kysely<Database>): Promise<string | undefined> {
    const row = await ctx.adapter.forUpdate(trx.selectFrom('keyring').select('active_key_id').where('id', '=', KEYRING_ROW)).executeTakeFirst();
    return row?.active_key_id;
  }

  const upsertUnderActiveKey = upsertUnderActiveKeyOf(ctx.adapter, false);
  /** The same, committing by itself without waiting for the WAL flush (flushed-later.ts), for writeAlone. */
  const upsertAloneFlushedLater = upsertUnderActiveKeyOf(ctx.adapter, true);

  return {
    async putSecret(row: Omit<SecretEnvelopeRow, 'updatedAt'>, options?: WriteOptions): Promise<SecretWriteOutcome> {
      const updatedAt = ctx.iso();
      // A write flushed by a later commit (the driver's credentials, stored while the checks run)
      // of the one pass this process holds (a request's own, whose Ready waits for it): the upsert
      // is one statement, as atomic and as exclusive of a key switch by itself as in a transaction,
      // so on PostgreSQL it goes at once and commits by itself (writeAlone), not waiting for the WAL
      // flush either: one round trip, where the shared commit's turn, BEGIN, the combined writes'
      // turn, the upsert and COMMIT outlasted the checks beside them (bench/README §1 rounds 16, 23).
      // With other passes under way (the engine under load) it shares their commits, as before.
      const alone = options?.flushedLater === true && ctx.heldRows.size === 1
        ? ctx.adapter.writeAlone?.(async (db) => (await upsertAloneFlushedLater(db, KEYRING_ROW, row.ownerId, row.name, row.envelope, row.keyId, updatedAt)) === 1 ? 'written' as const : 'stale-key' as const)
        : undefined;
      if (alone !== undefined) return alone;
      // One owner's secret row (the engine's under its lease): it may share a commit (adapter.write),
      // and on PostgreSQL one statement with the other secret upserts of its batch (secret-upserts.ts).
      return ctx.adapter.write((trx) => combinedOrAlone(trx, secretUpserts, { ownerId: row.ownerId, name: row.name, envelope: row.envelope, keyId: row.keyId, updatedAt }, async () => {
        const written = await upsertUnderActiveKey(trx, KEYRING_ROW, row.ownerId, row.name, row.envelope, row.keyId, updatedAt);
        return written === 1 ? 'written' as const : 'stale-key' as const;
      }), options);
    },

    async getSecret(ownerId: string, name: string): Promise<SecretEnvelopeRow | undefined> {
      const [row] = await secretByName(ctx.db, ownerId, name);
      return row && toSecretRow(row);
    },

    async deleteSecrets(ownerId: string): Promise<void> {
      await ctx.db.deleteFrom('secrets').where('owner_id', '=', ownerId).execute();
    },

    async deleteSecret(ownerId: string, name: string): Promise<void> {
      await ctx.db.deleteFrom('secrets').where('owner_id', '=', ownerId).where('name', '=', name).execute();
    },

    async activeMasterKey(): Promise<ActiveMasterKey | undefined> {
      const row = await ctx.db.selectFrom('keyring').selectAll().where('id', '=', KEYRING_ROW).executeTakeFirst();
      return row && { keyId: row.active_key_id, version: Number(row.active_version), activatedAt: row.activated_at };
    },

    async activateMasterKey(next: { keyId: string; version: number }, expectedKeyId: string | undefined): Promise<boolean> {
      const activatedAt = ctx.iso();
      return ctx.adapter.transaction(async (trx) => {
        if ((await lockedActiveKey(trx)) !== expectedKeyId) return false;
        await trx
          .insertInto('keyring')
          .values({ id: KEYRING_ROW, active_key_id: next.keyId, active_version: next.version, activated_at: activatedAt })
          .onConflict((oc) => oc.column('id').doUpdateSet({ active_key_id: next.keyId, active_version: next.version, activated_at: activatedAt }))
          .execute();
        return true;
      });
    },

    async secretsNotSealedWith(keyId: string, options: { after?: { ownerId: string; name: string }; limit: number }): Promise<SecretEnvelopeRow[]> {
      let query = ctx.db
        .selectFrom('secrets')
        .selectAll()
        .where((eb) => eb.or([eb('key_id', '<>', keyId), eb('key_id', 'is', null)]));
      const after = options.after;
      if (after !== undefined) {
        query = query.where((eb) => eb.or([eb('owner_id', '>', after.ownerId), eb.and([eb('owner_id', '=', after.ownerId), eb('name', '>', after.name)])]));
      }
      const rows = await query.orderBy('owner_id').orderBy('name').limit(options.limit).execute();
      return rows.map(toSecretRow);
    },

    async rewrapSecret(row: { ownerId: string; name: string; keyId: string; envelope: string }, previousEnvelope: string): Promise<boolean | 'stale-key'> {
      return ctx.adapter.transaction(async (trx) => {
        if ((await lockedActiveKey(trx)) !== row.keyId) return 'stale-key';
        const result = await trx
          .updateTable('secrets')
          .set({ envelope: row.envelope, key_id: row.keyId })
          .where('owner_id', '=', row.ownerId)
          .where('name', '=', row.name)
          .where('envelope', '=', previousEnvelope)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      });
    },

    async countSecretsByKey(): Promise<Record<string, number>> {
      const rows = await ctx.db.selectFrom('secrets').select(['key_id']).select((eb) => eb.fn.countAll().as('count')).groupBy('key_id').execute();
      return Object.fromEntries(rows.map((row) => [row.key_id ?? '', Number(row.count)]));
    },
  };
}
