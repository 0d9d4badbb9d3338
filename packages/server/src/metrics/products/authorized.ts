import { NotAllowedError, type ProductMeasures } from '@paved/model';
import type { Store } from '@paved/store';
import { can, type Principal } from '../../access/principal.js';
import { requireProductOwner } from './owner-access.js';
import type { ProductMeasuresQuery, ProductMeasuresService } from './service.js';

/**
 * A product's analytics are for the team that owns it (members of that platform team) and for
 * platform admins: they are how the platform team sees whether its product works. Listing shows
 * an admin every product and a platform team member the products their teams own.
 */
export class AuthorizedProductMeasuresService implements ProductMeasuresService {
  constructor(private readonly inner: ProductMeasuresService, private readonly store: Store) {}

  async list(principal: Principal, query: ProductMeasuresQuery): Promise<{ items: ProductMeasures[] }> {
    if (principal.user.admin && principal.token.teamId === undefined) return this.inner.list(principal, query);
    const teams = new Set((await this.store.listTeams({ userId: principal.user.id }))
      .filter((team) => team.platform && can(principal, team.id, 'read'))
      .map((team) => team.name));
    if (teams.size === 0) {
      throw new NotAllowedError('Product analytics are for the platform teams that own products, and for platform admins', {
        code: 'not_platform_team',
      });
    }
    const owned = (await this.store.listProducts()).filter((product) => teams.has(product.owner)).map((product) => product.name);
    return this.inner.list(principal, { ...query, products: owned });
  }

  async get(principal: Principal, product: string, query: ProductMeasuresQuery): Promise<ProductMeasures> {
    await requireProductOwner(this.store, principal, product, 'its analytics');
    return this.inner.get(principal, product, query);
  }
}
