import type {
  Onboarding, ProductManifest, ProductMeasures, ProductSummary, RequestOutcomes, TimeToReady, VersionMeasures,
} from '@paved/model';
import type { FirstReadyRow, MeasureWindow, RequestOutcomeRow, Store, TimeToReadyRow } from '@paved/store';
import type { Principal } from '../../access/principal.js';
import { productNotFound } from '../../products/service.js';
import { nearestRank, share, sinceWindow } from '../window/window.js';
import { deprecatedUse } from '../../product-evolution/deprecated-use.js';

export interface ProductMeasuresQuery {
  /** The window of requests: a duration back from now (30d) or an ISO time. Default 30d. */
  since?: string;
  /** Only these products; set by the authorization wrapper to the products a caller's teams own. */
  products?: string[];
}

/** The platform's product analytics, per product and version (docs/metrics/README.md#products). */
export interface ProductMeasuresService {
  /** Every product (or `query.products`), by name. */
  list(principal: Principal, query: ProductMeasuresQuery): Promise<{ items: ProductMeasures[] }>;
  get(principal: Principal, product: string, query: ProductMeasuresQuery): Promise<ProductMeasures>;
}

export interface ProductMeasuresDeps {
  store: Store;
  now: () => number;
}

export class DefaultProductMeasuresService implements ProductMeasuresService {
  constructor(private readonly deps: ProductMeasuresDeps) {}

  async list(_principal: Principal, query: ProductMeasuresQuery): Promise<{ items: ProductMeasures[] }> {
    const wanted = query.products === undefined ? undefined : new Set(query.products);
    const products = (await this.deps.store.listProducts()).filter((p) => wanted === undefined || wanted.has(p.name));
    return { items: await this.measure(products, sinceWindow(query.since, this.deps.now())) };
  }

  async get(_principal: Principal, product: string, query: ProductMeasuresQuery): Promise<ProductMeasures> {
    const summary = (await this.deps.store.listProducts()).find((p) => p.name === product);
    if (summary === undefined) throw productNotFound(product);
    const [measures] = await this.measure([summary], sinceWindow(query.since, this.deps.now()));
    return measures!;
  }

  /** A handful of grouped queries for all the products at once, then one per product for SLOs and onboarding. */
  private async measure(products: ProductSummary[], window: MeasureWindow): Promise<ProductMeasures[]> {
    if (products.length === 0) return [];
    const { store } = this.deps;
    const scope = { products: products.map((p) => p.name) };
    const [outcomes, ttrProduct, ttrVersion, liveProduct, liveVersion] = await Promise.all([
      store.requestOutcomes(window, scope),
      store.timeToReady(window, 'product', scope),
      store.timeToReady(window, 'version', scope),
      store.liveInstances('product', scope),
      store.liveInstances('version', scope),
    ]);
    return Promise.all(products.map(async (product): Promise<ProductMeasures> => {
      const [versions, firstReady, deprecated] = await Promise.all([
        store.listProductVersions(product.name), store.firstReadyByTeam({ products: [product.name] }), deprecatedUse(store, product.name),
      ]);
      const slos = new Map(versions.map((v) => [v.version, sloMs(v.manifest)]));
      const mine = <T extends { product: string }>(rows: T[]) => rows.filter((r) => r.product === product.name);
      const myOutcomes = mine(outcomes);
      const live = mine(liveProduct)[0];
      const versionRows = versions
        .map((v) => v.version)
        .reverse()
        .map((version): VersionMeasures => {
          const of = <T extends { version?: string }>(rows: T[]) => rows.filter((r) => r.version === version);
          const versionLive = of(mine(liveVersion))[0];
          return {
            version,
            liveInstances: versionLive?.instances ?? 0,
            adoptingTeams: versionLive?.teams ?? 0,
            requests: requestOutcomes(of(myOutcomes)),
            timeToReady: timeToReady(of(mine(ttrVersion))[0], slos.get(version)),
          };
        })
        .filter((v) => v.liveInstances > 0 || v.requests.requested > 0);
      return {
        product: product.name,
        owner: product.owner,
        since: new Date(window.since).toISOString(),
        until: new Date(window.until - 1).toISOString(),
        adoptingTeams: live?.teams ?? 0,
        liveInstances: live?.instances ?? 0,
        requests: requestOutcomes(myOutcomes),
        timeToReady: timeToReady(mine(ttrProduct)[0], slos.get(product.latestVersion)),
        teamOnboarding: onboarding(firstReady),
        versions: versionRows,
        deprecatedInstances: deprecated,
      };
    }));
  }
}

/** Sums outcome rows (one product's versions, or one version) into the API's shape. */
export function requestOutcomes(rows: readonly RequestOutcomeRow[]): RequestOutcomes {
  const sum = (key: 'requested' | 'ready' | 'failed' | 'abandoned') => rows.reduce((total, row) => total + row[key], 0);
  const [requested, ready, failed, abandoned] = [sum('requested'), sum('ready'), sum('failed'), sum('abandoned')];
  const rate = share(ready, ready + failed + abandoned);
  return { requested, ready, failed, abandoned, pending: requested - ready - failed - abandoned, ...(rate === undefined ? {} : { successRate: rate }) };
}

function timeToReady(row: TimeToReadyRow | undefined, sloP95Ms: number | undefined): TimeToReady {
  const result: TimeToReady = row === undefined ? { count: 0 } : { count: row.count, p50Ms: row.p50Ms, p95Ms: row.p95Ms };
  if (sloP95Ms !== undefined) result.slo = { p95Ms: sloP95Ms, ...(row === undefined ? {} : { met: row.p95Ms <= sloP95Ms }) };
  return result;
}

/** From each team's creation to its first Ready, over the teams that have one (one row per team, not per event). */
export function onboarding(rows: readonly FirstReadyRow[]): Onboarding {
  const waits = rows.map((r) => Math.max(0, r.firstReadyAt - Date.parse(r.teamCreatedAt))).sort((x, y) => x - y);
  const p50 = nearestRank(waits, 50);
  const p95 = nearestRank(waits, 95);
  return { teams: waits.length, ...(p50 === undefined ? {} : { p50Ms: p50 }), ...(p95 === undefined ? {} : { p95Ms: p95 }) };
}

const SLO_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `spec.slo.timeToReady.p95` in ms (the manifest schema's duration: 500ms, 5s, 2m, 1h); undefined when absent. */
function sloMs(manifest: ProductManifest): number | undefined {
  const match = /^(\d+)(ms|s|m|h)$/.exec(manifest.spec.slo?.timeToReady?.p95 ?? '');
  return match ? Number(match[1]) * SLO_UNITS[match[2]!]! : undefined;
}
