import {
  NotAllowedError,
  type ChangelogEntry, type Deprecation, type ProductRequest, type RoadmapItem, type VersionDiff,
} from '@paved/model';
import type { Store } from '@paved/store';
import { actsForPlatformTeam, can, requireUnscopedToken, type Principal } from '../access/principal.js';
import { productNotFound } from '../products/service.js';
import type { DeprecateRequest, ProductEvolutionService, RoadmapItemChange, RoadmapItemRequest } from './service.js';

/**
 * Everyone signed in reads a product's diff, changelog, deprecations, roadmap and requests.
 * Only the product's owner platform team (its members and owners) and platform admins change
 * its deprecations and roadmap. Asking for something and voting is for people who act in a
 * team — a member or owner of any team, or an admin — with a personal token (not read-only, not
 * limited to a team): viewers only read.
 */
export class AuthorizedProductEvolutionService implements ProductEvolutionService {
  constructor(private readonly inner: ProductEvolutionService, private readonly store: Store) {}

  diff(principal: Principal, product: string, from: string, to: string): Promise<VersionDiff> {
    return this.inner.diff(principal, product, from, to);
  }

  changelog(principal: Principal, product: string): Promise<ChangelogEntry[]> {
    return this.inner.changelog(principal, product);
  }

  listDeprecations(principal: Principal, product: string): Promise<Deprecation[]> {
    return this.inner.listDeprecations(principal, product);
  }

  async deprecate(principal: Principal, product: string, version: string | undefined, request: DeprecateRequest): Promise<Deprecation> {
    await this.requireOwner(principal, product, 'deprecate it');
    return this.inner.deprecate(principal, product, version, request);
  }

  async undeprecate(principal: Principal, product: string, version: string | undefined): Promise<void> {
    await this.requireOwner(principal, product, 'withdraw its deprecation');
    return this.inner.undeprecate(principal, product, version);
  }

  roadmap(principal: Principal, product: string): Promise<RoadmapItem[]> {
    return this.inner.roadmap(principal, product);
  }

  async addRoadmapItem(principal: Principal, product: string, request: RoadmapItemRequest): Promise<RoadmapItem> {
    await this.requireOwner(principal, product, 'change its roadmap');
    return this.inner.addRoadmapItem(principal, product, request);
  }

  async changeRoadmapItem(principal: Principal, product: string, id: number, change: RoadmapItemChange): Promise<RoadmapItem> {
    await this.requireOwner(principal, product, 'change its roadmap');
    return this.inner.changeRoadmapItem(principal, product, id, change);
  }

  async removeRoadmapItem(principal: Principal, product: string, id: number): Promise<void> {
    await this.requireOwner(principal, product, 'change its roadmap');
    return this.inner.removeRoadmapItem(principal, product, id);
  }

  requests(principal: Principal, product: string): Promise<ProductRequest[]> {
    return this.inner.requests(principal, product);
  }

  addRequest(principal: Principal, product: string, text: string): Promise<ProductRequest> {
    this.requireActingMember(principal, 'ask for something');
    return this.inner.addRequest(principal, product, text);
  }

  vote(principal: Principal, product: string, id: number): Promise<ProductRequest> {
    this.requireActingMember(principal, 'vote');
    return this.inner.vote(principal, product, id);
  }

  /** The owner platform team's members and owners, platform admins; 404 for an unknown product. */
  private async requireOwner(principal: Principal, product: string, what: string): Promise<void> {
    const ownerName = await this.store.getProductOwner(product);
    if (ownerName === undefined) throw productNotFound(product);
    const owner = await this.store.getTeam({ name: ownerName });
    if (owner && (actsForPlatformTeam(principal, owner, 'write') || (principal.user.admin && can(principal, owner.id, 'write')))) return;
    requireUnscopedToken(principal, `${what} (${product})`);
    throw new NotAllowedError(`Only the owner team of ${product} ("${ownerName}") and platform admins may ${what}`, {
      code: 'not_platform_team', issues: [{ path: 'product', message: `owned by team "${ownerName}"` }],
    });
  }

  private requireActingMember(principal: Principal, what: string): void {
    requireUnscopedToken(principal, what);
    if (principal.user.admin || principal.memberships.some((m) => m.role !== 'viewer')) return;
    throw new NotAllowedError(`Viewers read a product's requests; to ${what}, be a member or owner of a team (ask a team owner: paved teams add-member)`, {
      code: 'role_insufficient',
    });
  }
}
