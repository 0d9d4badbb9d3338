import { NotAllowedError, type Page, type ProductDetail, type ProductManifest, type ProductSummary, type ProductVersion, type PublishResult } from '@paved/model';
import type { Store } from '@paved/store';
import type { ProductService } from './service.js';
import { can, type Principal } from '../access/principal.js';

/** Everyone signed in reads the catalog; platform admins and members of the owner team publish. */
export class AuthorizedProductService implements ProductService {
  constructor(private readonly inner: ProductService, private readonly store: Store) {}

  check(input: unknown): Promise<ProductManifest> {
    return this.inner.check(input);
  }

  async publish(principal: Principal, input: unknown): Promise<PublishResult> {
    const manifest = await this.inner.check(input);
    const owner = await this.store.getTeam({ name: manifest.metadata.owner });
    if (!owner || !can(principal, owner.id, 'write')) {
      const message = `Only platform admins and members of team "${manifest.metadata.owner}" may publish ${manifest.metadata.name}`;
      throw new NotAllowedError(message, { code: 'not_team_member', issues: [{ path: 'metadata.owner', message: 'you are not a member of this team' }] });
    }
    return this.inner.publish(principal, input);
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
