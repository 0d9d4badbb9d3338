import {
  ConflictError, InputError, NotFoundError, diffProductVersions,
  type ChangelogEntry, type Deprecation, type ProductRequest, type ProductVersion, type RoadmapItem, type RoadmapStatus, type VersionDiff,
} from '@paved/model';
import type { Store } from '@paved/store';
import type { Principal } from '../access/principal.js';
import { productNotFound } from '../products/service.js';
import { assertDeprecationDate } from './deprecations.js';

export interface DeprecateRequest {
  date: string;
  reason: string;
}

export interface RoadmapItemRequest {
  title: string;
  status?: RoadmapStatus;
  targetVersion?: string;
}

export interface RoadmapItemChange {
  title?: string;
  status?: RoadmapStatus;
  /** null clears it. */
  targetVersion?: string | null;
}

/**
 * A product over time (docs/product-versions.md): comparing two versions, deprecating versions
 * or the whole product with a date, the changelog its versions carry, the roadmap its owner
 * keeps, and what its users ask for and vote on.
 */
export interface ProductEvolutionService {
  diff(principal: Principal, product: string, from: string, to: string): Promise<VersionDiff>;
  changelog(principal: Principal, product: string): Promise<ChangelogEntry[]>;
  listDeprecations(principal: Principal, product: string): Promise<Deprecation[]>;
  /** `version` undefined: the whole product. */
  deprecate(principal: Principal, product: string, version: string | undefined, request: DeprecateRequest): Promise<Deprecation>;
  undeprecate(principal: Principal, product: string, version: string | undefined): Promise<void>;
  roadmap(principal: Principal, product: string): Promise<RoadmapItem[]>;
  addRoadmapItem(principal: Principal, product: string, request: RoadmapItemRequest): Promise<RoadmapItem>;
  changeRoadmapItem(principal: Principal, product: string, id: number, change: RoadmapItemChange): Promise<RoadmapItem>;
  removeRoadmapItem(principal: Principal, product: string, id: number): Promise<void>;
  requests(principal: Principal, product: string): Promise<ProductRequest[]>;
  addRequest(principal: Principal, product: string, text: string): Promise<ProductRequest>;
  vote(principal: Principal, product: string, id: number): Promise<ProductRequest>;
}

export interface ProductEvolutionDeps {
  store: Store;
  now: () => number;
}

export function versionNotFound(product: string, version: string, path = 'version'): NotFoundError {
  return new NotFoundError(`${product} has no version ${version}; see its versions with: paved products show ${product}`, {
    code: 'version_not_found', issues: [{ path, message: 'no such version' }],
  });
}

function roadmapItemNotFound(product: string, id: number): NotFoundError {
  return new NotFoundError(`${product} has no roadmap item ${id}; see its roadmap with: paved products show ${product}`, {
    code: 'roadmap_item_not_found', issues: [{ path: 'item', message: 'no such roadmap item' }],
  });
}

function requestNotFound(product: string, id: number): NotFoundError {
  return new NotFoundError(`${product} has no request ${id}; see its requests with: paved products show ${product}`, {
    code: 'product_request_not_found', issues: [{ path: 'request', message: 'no such request' }],
  });
}

export class DefaultProductEvolutionService implements ProductEvolutionService {
  constructor(private readonly deps: ProductEvolutionDeps) {}

  async diff(_principal: Principal, product: string, from: string, to: string): Promise<VersionDiff> {
    const versions = await this.versions(product);
    const find = (version: string, path: string): ProductVersion => {
      const found = versions.find((v) => v.version === version);
      if (!found) throw versionNotFound(product, version, path);
      return found;
    };
    return diffProductVersions(find(from, 'from').manifest, find(to, 'to').manifest);
  }


  async changelog(_principal: Principal, product: string): Promise<ChangelogEntry[]> {
    // Newest first, as a changelog reads.
    return (await this.versions(product)).reverse().map((v) => ({
      version: v.version,
      publishedAt: v.publishedAt,
      ...(v.manifest.spec.changelog === undefined ? {} : { changelog: v.manifest.spec.changelog }),
    }));
  }

  async listDeprecations(_principal: Principal, product: string): Promise<Deprecation[]> {
    await this.versions(product);
    return this.deps.store.listDeprecations(product);
  }

  async deprecate(principal: Principal, product: string, version: string | undefined, request: DeprecateRequest): Promise<Deprecation> {
    const versions = await this.versions(product);
    if (version !== undefined && !versions.some((v) => v.version === version)) throw versionNotFound(product, version);
    const date = assertDeprecationDate(request.date, this.deps.now());
    const reason = request.reason.trim();
    if (reason === '') throw new InputError('reason: say why, so the teams on it know what to do', { issues: [{ path: 'reason', message: 'must not be blank' }] });
    const deprecation = await this.deps.store.setDeprecation({ product, ...(version === undefined ? {} : { version }), date, reason, by: principal.user.name });
    await this.deps.store.appendEvent({ kind: 'product.deprecated', actor: principal.user.name, data: { product, ...(version === undefined ? {} : { version }), date, reason } });
    return deprecation;
  }

  async undeprecate(principal: Principal, product: string, version: string | undefined): Promise<void> {
    await this.versions(product);
    if (!(await this.deps.store.removeDeprecation(product, version))) {
      const what = version === undefined ? product : `${product} ${version}`;
      throw new NotFoundError(`${what} is not deprecated; see its deprecations with: paved products show ${product}`, {
        code: 'deprecation_not_found', issues: [{ path: version === undefined ? 'product' : 'version', message: 'not deprecated' }],
      });
    }
    await this.deps.store.appendEvent({ kind: 'product.undeprecated', actor: principal.user.name, data: { product, ...(version === undefined ? {} : { version }) } });
  }

  async roadmap(_principal: Principal, product: string): Promise<RoadmapItem[]> {
    await this.versions(product);
    return this.deps.store.listRoadmap(product);
  }

  async addRoadmapItem(_principal: Principal, product: string, request: RoadmapItemRequest): Promise<RoadmapItem> {
    await this.versions(product);
    return this.deps.store.addRoadmapItem({
      product, title: blankRefused(request.title, 'title'), status: request.status ?? 'planned',
      ...(request.targetVersion === undefined ? {} : { targetVersion: request.targetVersion }),
    });
  }

  async changeRoadmapItem(_principal: Principal, product: string, id: number, change: RoadmapItemChange): Promise<RoadmapItem> {
    await this.versions(product);
    const changed = await this.deps.store.updateRoadmapItem(product, id, {
      ...change, ...(change.title === undefined ? {} : { title: blankRefused(change.title, 'title') }),
    });
    if (!changed) throw roadmapItemNotFound(product, id);
    return changed;
  }

  async removeRoadmapItem(_principal: Principal, product: string, id: number): Promise<void> {
    await this.versions(product);
    if (!(await this.deps.store.removeRoadmapItem(product, id))) throw roadmapItemNotFound(product, id);
  }

  async requests(_principal: Principal, product: string): Promise<ProductRequest[]> {
    await this.versions(product);
    return this.deps.store.listProductRequests(product);
  }

  async addRequest(principal: Principal, product: string, text: string): Promise<ProductRequest> {
    await this.versions(product);
    return this.deps.store.addProductRequest({ product, text: blankRefused(text, 'text'), authorId: principal.user.id });
  }

  async vote(principal: Principal, product: string, id: number): Promise<ProductRequest> {
    await this.versions(product);
    const outcome = await this.deps.store.voteProductRequest(product, id, principal.user.id);
    if (outcome === 'not-found') throw requestNotFound(product, id);
    if (outcome === 'already') {
      throw new ConflictError(`You already voted for request ${id} of ${product}; one vote per person`, {
        code: 'already_voted', issues: [{ path: 'request', message: 'already has your vote' }],
      });
    }
    return (await this.deps.store.listProductRequests(product)).find((r) => r.id === id)!;
  }

  /** The product's versions, oldest first; NotFoundError for an unknown product. */
  private async versions(product: string): Promise<ProductVersion[]> {
    const versions = await this.deps.store.listProductVersions(product);
    if (versions.length === 0) throw productNotFound(product);
    return versions;
  }
}

function blankRefused(value: string, path: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new InputError(`${path}: must not be blank`, { issues: [{ path, message: 'must not be blank' }] });
  return trimmed;
}
