import {
  NotAllowedError,
  type Page, type PageRequest, type ProductDetail, type ProductInstance, type ProductManifest, type ProductSummary, type ProductVersion, type PublishResult,
} from '@paved/model';
import type { Store } from '@paved/store';
import { actsForPlatformTeam, requireAdmin, type Principal } from '../access/principal.js';
import { productNotFound, type ProductService } from './service.js';

/**
 * Everyone signed in reads the catalog. Members of a platform team publish the products their
 * team owns, and only those (the first version of a new product makes their team its owner);
 * they see the health of those products' instances across teams. Only a platform admin moves a
 * product to another team. A developer team never publishes.
 */
export class AuthorizedProductService implements ProductService {
  constructor(private readonly inner: ProductService, private readonly store: Store) {}

  check(input: unknown): Promise<ProductManifest> {
    return this.inner.check(input);
  }

  async publish(principal: Principal, input: unknown): Promise<PublishResult> {
    const manifest = await this.inner.check(input);
    const { name, owner: ownerName } = manifest.metadata;
    const owner = await this.store.getTeam({ name: ownerName });
    if (!owner || !actsForPlatformTeam(principal, owner, 'write')) {
      const why = owner && !owner.platform
        ? `team "${ownerName}" is not a platform team (a platform admin makes it one: paved teams update ${ownerName} --platform)`
        : `you are not a member of the platform team "${ownerName}"`;
      throw new NotAllowedError(`You may not publish ${name}: ${why}`, { code: 'not_platform_team', issues: [{ path: 'metadata.owner', message: why }] });
    }
    // The product's owner is who may publish its next version; moving it is a separate, admin-only act.
    const current = await this.store.getProductOwner(name);
    if (current !== undefined && current !== ownerName) {
      throw new NotAllowedError(`Product ${name} is owned by team "${current}"; only a platform admin can move it (paved products transfer ${name} --to ${ownerName})`, {
        code: 'product_owner_mismatch', issues: [{ path: 'metadata.owner', message: `must be "${current}", the product's owner` }],
      });
    }
    return this.inner.publish(principal, input);
  }

  transfer(principal: Principal, product: string, owner: string): Promise<ProductDetail> {
    requireAdmin(principal, 'move a product to another team');
    return this.inner.transfer(principal, product, owner);
  }

  async instances(principal: Principal, product: string, page: PageRequest): Promise<Page<ProductInstance>> {
    const ownerName = await this.store.getProductOwner(product);
    if (ownerName === undefined) throw productNotFound(product);
    const owner = await this.store.getTeam({ name: ownerName });
    if (!owner || !actsForPlatformTeam(principal, owner, 'read')) {
      throw new NotAllowedError(`Only the owner team of ${product} ("${ownerName}") and platform admins see its instances across teams`, { code: 'not_platform_team' });
    }
    return this.inner.instances(principal, product, page);
  }

  list(principal: Principal): Promise<Page<ProductSummary>> {
    return this.inner.list(principal);
  }

  get(principal: Principal, product: string): Promise<ProductDetail> {
    return this.inner.get(principal, product);
  }

  getVersion(principal: Principal, product: string, version: string): Promise<ProductVersion> {
    return this.inner.getVersion(principal, product, version);
  }
}
