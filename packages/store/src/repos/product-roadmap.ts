import type { Selectable } from '#kysely';
import type { ProductRequest, RoadmapItem, RoadmapStatus } from '@paved/model';
import type { StoreContext } from '../context.js';
import type { ProductRoadmapTable } from '../schema-product-evolution.js';

function toRoadmapItem(row: Selectable<ProductRoadmapTable>): RoadmapItem {
  return {
    id: Number(row.id),
    product: row.product,
    title: row.title,
    status: row.status as RoadmapStatus,
    ...(row.target_version === null ? {} : { targetVersion: row.target_version }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A product's roadmap (its owner's) and the requests its users make and vote on (migration 0018). */
export function productRoadmapRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;

  const getItem = async (product: string, id: number) =>
    db.selectFrom('product_roadmap').selectAll().where('product', '=', product).where('id', '=', id).executeTakeFirst();

  const requests = () =>
    db
      .selectFrom('product_requests')
      .leftJoin('users', 'users.id', 'product_requests.author_id')
      .select(['product_requests.id', 'product_requests.product', 'product_requests.text', 'product_requests.votes', 'product_requests.created_at', 'users.name as author']);

  type RequestRow = { id: number; product: string; text: string; votes: number; created_at: string; author: string | null };
  const toRequest = (row: RequestRow): ProductRequest => ({
    id: Number(row.id),
    product: row.product,
    text: row.text,
    // A deleted user's request stays, without a name.
    author: row.author ?? '(deleted user)',
    votes: Number(row.votes),
    createdAt: row.created_at,
  });

  return {
    async addRoadmapItem(item: { product: string; title: string; status: RoadmapStatus; targetVersion?: string }): Promise<RoadmapItem> {
      const now = ctx.iso();
      const { id } = await db
        .insertInto('product_roadmap')
        .values({ product: item.product, title: item.title, status: item.status, target_version: item.targetVersion ?? null, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      return toRoadmapItem((await getItem(item.product, Number(id)))!);
    },

    async updateRoadmapItem(product: string, id: number, change: { title?: string; status?: RoadmapStatus; targetVersion?: string | null }): Promise<RoadmapItem | undefined> {
      const set = {
        ...(change.title === undefined ? {} : { title: change.title }),
        ...(change.status === undefined ? {} : { status: change.status }),
        ...(change.targetVersion === undefined ? {} : { target_version: change.targetVersion }),
        updated_at: ctx.iso(),
      };
      const result = await db.updateTable('product_roadmap').set(set).where('product', '=', product).where('id', '=', id).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      return toRoadmapItem((await getItem(product, id))!);
    },

    async removeRoadmapItem(product: string, id: number): Promise<boolean> {
      const result = await db.deleteFrom('product_roadmap').where('product', '=', product).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async listRoadmap(product: string): Promise<RoadmapItem[]> {
      return (await db.selectFrom('product_roadmap').selectAll().where('product', '=', product).orderBy('id').execute()).map(toRoadmapItem);
    },

    async addProductRequest(request: { product: string; text: string; authorId: string }): Promise<ProductRequest> {
      const { id } = await db
        .insertInto('product_requests')
        .values({ product: request.product, text: request.text, author_id: request.authorId, votes: 0, created_at: ctx.iso() })
        .returning('id')
        .executeTakeFirstOrThrow();
      return toRequest((await requests().where('product_requests.id', '=', Number(id)).executeTakeFirstOrThrow()) as RequestRow);
    },

    async voteProductRequest(product: string, id: number, userId: string): Promise<'voted' | 'already' | 'not-found'> {
      try {
        return await adapter.transaction(async (trx) => {
          const found = await trx.selectFrom('product_requests').select('id').where('product', '=', product).where('id', '=', id).executeTakeFirst();
          if (!found) return 'not-found' as const;
          // The primary key (request, user) is the one-vote rule; a second vote is a unique violation.
          await trx.insertInto('product_request_votes').values({ request_id: id, user_id: userId, voted_at: ctx.iso() }).execute();
          await trx.updateTable('product_requests').set((eb) => ({ votes: eb('votes', '+', 1) })).where('id', '=', id).execute();
          return 'voted' as const;
        });
      } catch (error) {
        if (adapter.isUniqueViolation(error)) return 'already';
        throw error;
      }
    },

    async listProductRequests(product: string): Promise<ProductRequest[]> {
      const rows = await requests().where('product_requests.product', '=', product).orderBy('product_requests.votes', 'desc').orderBy('product_requests.id').execute();
      return rows.map((r) => toRequest(r as RequestRow));
    },
  };
}
