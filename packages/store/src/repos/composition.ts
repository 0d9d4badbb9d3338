import type { Kysely } from '#kysely';
import type { Instance } from '@paved/model';
import type { StoreContext } from '../context.js';
import type { Database } from '../schema.js';
import { selectInstanceViews, toInstance } from '../rows.js';
import { compiledRead } from '../compiled.js';

// Read with every instance the API returns (GET answers a composite with its parts).
const partsOf = compiledRead((db, parentId: string) => selectInstanceViews(db).where('instances.parent_id', '=', parentId).orderBy('instances.seq'));
// One instance by name and whether it has parts (through the parent_id index), so that the parts
// are read only for a composite: most instances are not, and that read was one more each GET.
const instanceByNameWithPartsFlag = compiledRead((db, teamId: string, name: string) => selectInstanceViews(db)
  .select((eb) => eb.exists(eb.selectFrom('instances as part').select('part.id').whereRef('part.parent_id', '=', 'instances.id')).as('has_parts'))
  .where('instances.team_id', '=', teamId).where('instances.name', '=', name));

/**
 * Composition (migration 0006): a composite instance's parts are ordinary instance rows with
 * `parent_id` and `part` set. The engine reconciles the parent by reading its parts, so a
 * part's change of status must wake the parent: see `wakeParent`.
 */
export function compositionRepo(ctx: StoreContext) {
  return {
    async listInstanceParts(parentId: string): Promise<Instance[]> {
      return (await partsOf(ctx.db, parentId)).map(toInstance);
    },

    getInstanceWithParts(teamId: string, name: string): Promise<{ instance: Instance; parts: Instance[] } | undefined> {
      return ctx.unchanged(instanceKey(teamId, name), async () => {
        const [row] = await instanceByNameWithPartsFlag(ctx.db, teamId, name);
        if (row === undefined) return undefined;
        // A boolean on PostgreSQL, 0 or 1 on SQLite.
        const parts = row.has_parts === true || Number(row.has_parts) === 1 ? (await partsOf(ctx.db, row.id)).map(toInstance) : [];
        return { instance: toInstance(row), parts };
      });
    },

    keptInstanceWithParts(teamId: string, name: string): { instance: Instance; parts: Instance[] } | undefined {
      return ctx.unchanged.kept(instanceKey(teamId, name));
    },
  };
}

/** The key getInstanceWithParts keeps its result under (unchanged-reads.ts). */
const instanceKey = (teamId: string, name: string): string => `instance\u0000${teamId}\u0000${name}`;

/**
 * Makes a part's parent due now, inside the transaction that changed the part, and announces
 * it (delivered at commit). Returns the parent's team for the caller's local feed, or
 * undefined when the parent is gone. A parent that holds a lease keeps it: its pass may
 * overwrite this due time, which is why the engine also polls a composite that waits on parts.
 */
export async function wakeParent(ctx: StoreContext, trx: Kysely<Database>, parentId: string): Promise<{ instanceId: string; teamId: string } | undefined> {
  const row = await trx.updateTable('instances').set({ due_at: ctx.now() }).where('id', '=', parentId).returning(['team_id']).executeTakeFirst();
  if (!row) return undefined;
  await ctx.adapter.announce(trx, { instanceId: parentId, teamId: row.team_id });
  return { instanceId: parentId, teamId: row.team_id };
}
