import {
  COMPOSITE_DRIVER, ConflictError, InputError, NotFoundError, assertChecksOffered, isPavedError, manifestDigest, parseProductManifest,
  type Deprecation, type Instance, type Page, type PageRequest, type ProductDetail, type ProductInstance, type ProductManifest, type ProductSummary, type ProductVersion,
  type PublishResult,
} from '@paved/model';
import type { Store } from '@paved/store';
import { findTeam, type Principal } from '../access/principal.js';
import { assertCompositionValid } from './composition.js';
import { assertCompatibleWithPublished } from '../product-evolution/publish-check.js';

/** The product catalog: publishing immutable product versions and reading them. */
export interface ProductService {
  publish(principal: Principal, input: unknown): Promise<PublishResult>;
  list(principal: Principal): Promise<Page<ProductSummary>>;
  get(principal: Principal, product: string): Promise<ProductDetail>;
  getVersion(principal: Principal, product: string, version: string): Promise<ProductVersion>;
  /** A parsed manifest whose owner team and driver exist; the authorized service checks who may publish it. */
  check(input: unknown): Promise<ProductManifest>;
  /** Moves a product to another (platform) owner team; its next version must name that team. */
  transfer(principal: Principal, product: string, owner: string): Promise<ProductDetail>;
  /** The health of every instance of the product, across teams, for its owner team. */
  instances(principal: Principal, product: string, page: PageRequest): Promise<Page<ProductInstance>>;
}

export interface ProductServiceDeps {
  store: Store;
  /** Names of the drivers this platform runs; a product must use one of them. */
  driverNames: readonly string[];
  /** Contract checks each driver offers, by driver name; a product's `spec.checks` must name only these. */
  driverChecks?: Readonly<Record<string, readonly string[]>>;
}

export function productNotFound(name: string, path = 'product'): NotFoundError {
  return new NotFoundError(`Product "${name}" does not exist; see the catalog with: paved products`, {
    code: 'product_not_found',
    issues: [{ path, message: 'no such product' }],
  });
}

export class DefaultProductService implements ProductService {
  constructor(private readonly deps: ProductServiceDeps) {}

  async check(input: unknown): Promise<ProductManifest> {
    const manifest = parseProductManifest(input);
    const { store, driverNames } = this.deps;
    if (!(await store.getTeam({ name: manifest.metadata.owner }))) {
      throw new InputError(`metadata.owner: team "${manifest.metadata.owner}" does not exist; create it first (paved teams create)`, {
        code: 'owner_team_unknown',
        issues: [{ path: 'metadata.owner', message: 'no such team' }],
      });
    }
    // 'composite' has no Driver object: the engine reconciles composite products itself.
    if (manifest.spec.driver !== COMPOSITE_DRIVER && !driverNames.includes(manifest.spec.driver)) {
      const known = [...driverNames, COMPOSITE_DRIVER].join(', ');
      throw new InputError(`spec.driver: this platform has no driver "${manifest.spec.driver}" (known drivers: ${known})`, {
        code: 'driver_unknown',
        issues: [{ path: 'spec.driver', message: `must be one of: ${known}` }],
      });
    }
    assertChecksOffered(manifest, this.deps.driverChecks?.[manifest.spec.driver] ?? []);
    await assertCompositionValid(manifest, store);
    return manifest;
  }

  async publish(principal: Principal, input: unknown): Promise<PublishResult> {
    const manifest = await this.check(input);
    const { name } = manifest.metadata;
    const { version } = manifest.spec;
    await assertCompatibleWithPublished(this.deps.store, manifest);
    let result: 'created' | 'unchanged';
    try {
      result = await this.deps.store.publishProductVersion({ name, version, manifest, digest: manifestDigest(manifest) });
    } catch (error) {
      if (isPavedError(error) && error.code === 'product_version_exists') {
        throw new ConflictError(
          `${name} ${version} is already published with a different manifest; a published version never changes: bump spec.version`,
          { code: 'version_immutable', cause: error, issues: [{ path: 'spec.version', message: 'already published with different content' }] },
        );
      }
      throw error;
    }
    if (result === 'created') {
      await this.deps.store.appendEvent({ kind: 'product.published', actor: principal.user.name, data: { product: name, version, owner: manifest.metadata.owner } });
    }
    const product = await this.deps.store.getProductVersion(name, version);
    if (!product) throw productNotFound(name);
    return { result, product };
  }

  async list(): Promise<Page<ProductSummary>> {
    const [items, deprecations] = await Promise.all([this.deps.store.listProducts(), this.deps.store.listDeprecations()]);
    return { items: deprecations.length === 0 ? items : items.map((p) => withDeprecations(p, deprecations)) };
  }

  async get(_principal: Principal, product: string): Promise<ProductDetail> {
    const latest = await this.deps.store.getProductVersion(product);
    if (!latest) throw productNotFound(product);
    const versions = await this.deps.store.listProductVersions(product);
    const owner = await this.deps.store.getProductOwner(product);
    return { ...summarize(latest, owner), manifest: latest.manifest, versions: versions.map((v) => v.version) };
  }

  async transfer(principal: Principal, product: string, ownerName: string): Promise<ProductDetail> {
    const previous = await this.deps.store.getProductOwner(product);
    if (!previous) throw productNotFound(product);
    const owner = await findTeam(this.deps.store, ownerName);
    if (!owner.platform) {
      throw new InputError(`owner: team "${ownerName}" is not a platform team, so it could not publish ${product}; make it one first (paved teams update ${ownerName} --platform)`, {
        code: 'owner_not_platform', issues: [{ path: 'owner', message: 'not a platform team' }],
      });
    }
    await this.deps.store.transferProduct(product, owner.name);
    await this.deps.store.appendEvent({ kind: 'product.transferred', actor: principal.user.name, data: { product, from: previous, to: owner.name } });
    return this.get(principal, product);
  }

  async instances(_principal: Principal, product: string, page: PageRequest): Promise<Page<ProductInstance>> {
    if (!(await this.deps.store.getProductOwner(product))) throw productNotFound(product);
    const found = await this.deps.store.listInstances({ product, topLevel: false, cursor: page.cursor, limit: page.limit });
    return { ...found, items: found.items.map(healthOf) };
  }

  async getVersion(_principal: Principal, product: string, version: string): Promise<ProductVersion> {
    const found = await this.deps.store.getProductVersion(product, version);
    if (found) return found;
    if (!(await this.deps.store.getProductVersion(product))) throw productNotFound(product);
    throw new NotFoundError(`${product} has no version ${version}; see its versions with: paved products show ${product}`, {
      code: 'version_not_found',
      issues: [{ path: 'version', message: 'no such version' }],
    });
  }
}

/** What a product's owner team sees of an instance of another team: its health, never its outputs or inputs. */
function healthOf(instance: Instance): ProductInstance {
  const ready = instance.status.conditions.find((c) => c.type === 'Ready');
  return {
    team: instance.teamName,
    name: instance.name,
    version: instance.productVersion,
    plan: instance.plan,
    phase: instance.status.phase,
    ...(ready ? { reason: ready.reason, message: ready.message } : {}),
    createdAt: instance.createdAt,
    updatedAt: instance.updatedAt,
  };
}

/** A catalog entry marked with its deprecations (docs/product-versions.md#deprecation): the whole product's, and each version's. */
function withDeprecations(summary: ProductSummary, deprecations: readonly Deprecation[]): ProductSummary {
  const own = deprecations.filter((d) => d.product === summary.name);
  if (own.length === 0) return summary;
  const whole = own.find((d) => d.version === undefined);
  const versions = own.flatMap((d) => (d.version === undefined ? [] : [{ version: d.version, date: d.date }]));
  return {
    ...summary,
    ...(whole === undefined ? {} : { deprecation: { date: whole.date, reason: whole.reason } }),
    ...(versions.length === 0 ? {} : { deprecatedVersions: versions }),
  };
}

/** The catalog entry of a product version; `owner` is the product's owner team when known (it may have moved since). */
export function summarize(version: ProductVersion, owner?: string): ProductSummary {
  const { metadata, spec } = version.manifest;
  return {
    name: metadata.name,
    title: metadata.title,
    owner: owner ?? metadata.owner,
    lifecycle: metadata.lifecycle,
    latestVersion: version.version,
    description: spec.description,
    driver: spec.driver,
    plans: Object.keys(spec.plans),
    tags: metadata.tags ?? [],
  };
}
