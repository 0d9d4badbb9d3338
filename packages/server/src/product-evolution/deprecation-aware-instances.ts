import type { CreateInstanceRequest, Deprecation, Instance, Page, PageRequest, RequestInterface, RequestPreview, UpdateInstanceRequest } from '@paved/model';
import type { Store } from '@paved/store';
import type { Principal } from '../access/principal.js';
import { DelegatingInstanceService } from '../instances/delegating.js';
import type { InstanceService } from '../instances/service.js';
import { assertNotPastDeprecation, instanceDeprecation } from './deprecations.js';

/**
 * The instance service with deprecations applied: an instance on a deprecated version (or
 * product) carries a `deprecation` (date, reason, the command that upgrades it), and after the
 * date no new instance, nor a move, lands on that version. A wrapper rather than edits of the
 * instance service, so the deprecation rules live in one capability; authorization wraps it.
 */
export class DeprecationAwareInstanceService extends DelegatingInstanceService {
  constructor(inner: InstanceService, private readonly deps: { store: Store; now: () => number }) {
    super(inner);
  }

  override async create(principal: Principal, team: string, request: CreateInstanceRequest, via?: RequestInterface, recorded?: Promise<void>): Promise<Instance> {
    // Through the request's epoch reads, as get and list read them: setting a deprecation moves
    // the epoch, so they are as new as the request's authentication, and a create reads none of
    // its own (two statements a create, each a round trip on the PostgreSQL store). The version
    // matters only to a product with a deprecation: the inner service resolves the latest too.
    const deprecations = await this.deprecations(principal, request.product);
    if (deprecations.length > 0) {
      const version = request.version ?? (await this.deps.store.latestProductVersion(request.product));
      // An unknown product or version: the inner service names it.
      if (version !== undefined) await this.refusePastDate(request.product, version, deprecations);
    }
    return this.annotate(await this.inner.create(principal, team, request, via, recorded), deprecations);
  }

  override async update(principal: Principal, team: string, name: string, request: UpdateInstanceRequest, via?: RequestInterface): Promise<Instance> {
    await this.refuseMovePastDate(principal, team, name, request);
    return this.annotate(await this.inner.update(principal, team, name, request, via));
  }

  /** A dry run is refused as the request itself would be: past the date, nothing would be created. */
  override async previewCreate(principal: Principal, team: string, request: CreateInstanceRequest, via?: RequestInterface): Promise<RequestPreview> {
    const version = request.version ?? (await this.deps.store.latestProductVersion(request.product));
    if (version !== undefined) await this.refusePastDate(request.product, version);
    return this.inner.previewCreate(principal, team, request, via);
  }

  override async previewUpdate(principal: Principal, team: string, name: string, request: UpdateInstanceRequest, via?: RequestInterface): Promise<RequestPreview> {
    await this.refuseMovePastDate(principal, team, name, request);
    return this.inner.previewUpdate(principal, team, name, request, via);
  }

  override async get(principal: Principal, team: string, name: string): Promise<Instance> {
    const instance = await this.inner.get(principal, team, name);
    const deprecations = principal.reads?.keptDeprecations(instance.product) ?? (await this.deprecations(principal, instance.product));
    // Most products have no deprecation: the instance as it is, without annotate's promise.
    return deprecations.some((d) => d.product === instance.product) ? this.annotate(instance, deprecations) : instance;
  }

  /** As `get` when the instance's product has no deprecation kept under the request's epoch; undefined otherwise (then `get`, which annotates). */
  override getKept(principal: Principal, team: string, name: string): Instance | undefined {
    const instance = this.inner.getKept?.(principal, team, name);
    if (instance === undefined) return undefined;
    const deprecations = principal.reads?.keptDeprecations(instance.product);
    return deprecations !== undefined && !deprecations.some((d) => d.product === instance.product) ? instance : undefined;
  }

  /** As `list` when no product has a deprecation kept under the request's epoch; undefined otherwise (then `list`, which annotates). */
  override listKept(principal: Principal, team: string, page: PageRequest): Page<Instance> | undefined {
    return principal.reads?.keptDeprecations()?.length === 0 ? this.inner.listKept?.(principal, team, page) : undefined;
  }

  override async list(principal: Principal, team: string, page: PageRequest): Promise<Page<Instance>> {
    const found = await this.inner.list(principal, team, page);
    const deprecations = await this.deprecations(principal);
    if (deprecations.length === 0) return found;
    const versions = new Map<string, string[]>();
    const items: Instance[] = [];
    for (const instance of found.items) items.push(await this.annotate(instance, deprecations, versions));
    return { ...found, items };
  }

  override async rotate(principal: Principal, team: string, name: string): Promise<Instance> {
    return this.annotate(await this.inner.rotate(principal, team, name));
  }

  override async reconcile(principal: Principal, team: string, name: string): Promise<Instance> {
    return this.annotate(await this.inner.reconcile(principal, team, name));
  }

  /** Read with every instance answered: through the request's epoch reads (kept while nothing changes), else from the store. */
  private deprecations(principal: Principal, product?: string): Promise<Deprecation[]> {
    return principal.reads ? principal.reads.deprecations(product) : this.deps.store.listDeprecations(product);
  }

  private async refuseMovePastDate(principal: Principal, team: string, name: string, request: UpdateInstanceRequest): Promise<void> {
    if (request.version === undefined) return;
    const current = await this.inner.get(principal, team, name);
    if (current.productVersion !== request.version) await this.refusePastDate(current.product, request.version);
  }

  private async refusePastDate(product: string, version: string, known?: Deprecation[]): Promise<void> {
    const deprecations = known ?? (await this.deps.store.listDeprecations(product));
    if (deprecations.length === 0) return;
    assertNotPastDeprecation(deprecations, product, version, await this.versionsOf(product), this.deps.now());
  }

  private async annotate(instance: Instance, known?: Deprecation[], versions = new Map<string, string[]>()): Promise<Instance> {
    const deprecations = known ?? (await this.deps.store.listDeprecations(instance.product));
    if (!deprecations.some((d) => d.product === instance.product)) return instance;
    if (!versions.has(instance.product)) versions.set(instance.product, await this.versionsOf(instance.product));
    const deprecation = instanceDeprecation(deprecations, instance, versions.get(instance.product)!, this.deps.now());
    return deprecation === undefined ? instance : { ...instance, deprecation };
  }

  private async versionsOf(product: string): Promise<string[]> {
    return (await this.deps.store.listProductVersions(product)).map((v) => v.version);
  }
}
