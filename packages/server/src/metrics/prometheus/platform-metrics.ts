import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '@paved/store';

/**
 * The platform's own metrics in the Prometheus text format (docs/metrics/prometheus.md): HTTP
 * requests by route pattern and status, webhook deliveries and the inbox of those not yet
 * applied, reconciles by result, time to Ready by product, the work queue's depth, and the process's own (CPU, memory, event loop). One
 * registry per process; a worker-only process exposes its own on its own port.
 *
 * Labels are bounded: route patterns (never raw URLs), methods, status codes, results, and
 * product names (published by platform teams, capped at MAX_PRODUCTS). No team, instance or
 * user name ever becomes a label, so an anonymous scraper learns nothing about who uses what.
 */

/** HTTP methods kept as they are; any other is counted as OTHER. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Distinct product labels before the rest are counted as `other` (a guard, not a limit anyone should reach). */
export const MAX_PRODUCTS = 500;
/** The route label of a request no route matched (404s of unknown paths). */
export const UNMATCHED_ROUTE = 'unmatched';
const WEBHOOK_PREFIX = '/api/v1/webhooks/';

export interface PlatformMetricsOptions {
  /** For the queue-depth gauges (the engine's and the webhook inbox's), read from the store at each scrape; absent: not exported. */
  store?: Pick<Store, 'queueDepth'> & Partial<Pick<Store, 'deliveryInboxDepth'>>;
  /** Which parts this process runs (all, api, worker): a label on every series. */
  role?: string;
  /** Node.js process metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean;
}

export class PlatformMetrics {
  readonly registry = new Registry();
  readonly #products = new Set<string>();
  readonly #httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly #httpDuration: Histogram<'method' | 'route'>;
  readonly #webhookDeliveries: Counter<'route' | 'outcome'>;
  readonly #reconciles: Counter<'result'>;
  readonly #reconcileDuration: Histogram<'result'>;
  readonly #timeToReady: Histogram<'product'>;

  constructor(options: PlatformMetricsOptions = {}) {
    const registers = [this.registry];
    if (options.role !== undefined) this.registry.setDefaultLabels({ role: options.role });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'paved_' });
    this.#httpRequests = new Counter({
      name: 'paved_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code', labelNames: ['method', 'route', 'status'], registers,
    });
    this.#httpDuration = new Histogram({
      name: 'paved_http_request_duration_seconds', help: 'Time to answer an HTTP request, by method and route pattern', labelNames: ['method', 'route'], registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.#webhookDeliveries = new Counter({
      name: 'paved_webhook_deliveries_total', help: 'Deliveries to /api/v1/webhooks/ routes: accepted (2xx) or rejected', labelNames: ['route', 'outcome'], registers,
    });
    this.#reconciles = new Counter({
      name: 'paved_reconciles_total', help: 'Reconcile passes by what they left the instance as', labelNames: ['result'], registers,
    });
    this.#reconcileDuration = new Histogram({
      name: 'paved_reconcile_duration_seconds', help: 'Duration of reconcile passes, by result', labelNames: ['result'], registers,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    });
    this.#timeToReady = new Histogram({
      name: 'paved_time_to_ready_seconds', help: 'From request to first Ready, by product', labelNames: ['product'], registers,
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    });
    const store = options.store;
    if (store !== undefined) {
      const depth = async () => store.queueDepth().catch(() => undefined);
      new Gauge({
        name: 'paved_queue_due_instances', help: 'Instances due for a reconcile now and waiting for a worker (the whole platform, from the store)', registers,
        async collect() {
          const found = await depth();
          if (found !== undefined) this.set(found.due);
        },
      });
      new Gauge({
        name: 'paved_queue_leased_instances', help: 'Instances being reconciled now under a live lease (the whole platform, from the store)', registers,
        async collect() {
          const found = await depth();
          if (found !== undefined) this.set(found.leased);
        },
      });
    }
    if (store?.deliveryInboxDepth !== undefined) {
      const inbox = async () => store.deliveryInboxDepth!().catch(() => undefined);
      new Gauge({
        name: 'paved_webhook_inbox_waiting_deliveries', help: 'Webhook deliveries accepted (answered 202) and not yet applied (the whole platform, from the store)', registers,
        async collect() {
          const found = await inbox();
          if (found !== undefined) this.set(found.waiting);
        },
      });
      new Gauge({
        name: 'paved_webhook_inbox_failed_deliveries', help: 'Webhook deliveries accepted whose facts could not be applied; each keeps its error in delivery_inbox', registers,
        async collect() {
          const found = await inbox();
          if (found !== undefined) this.set(found.failed);
        },
      });
    }
  }

  /** One answered HTTP request; `route` is the matched route's pattern, undefined when none matched. */
  httpRequest(request: { method: string; route: string | undefined; status: number; durationMs: number }): void {
    const method = METHODS.has(request.method) ? request.method : 'OTHER';
    const route = request.route ?? UNMATCHED_ROUTE;
    this.#httpRequests.inc({ method, route, status: String(request.status) });
    this.#httpDuration.observe({ method, route }, request.durationMs / 1000);
    if (route.startsWith(WEBHOOK_PREFIX)) {
      this.#webhookDeliveries.inc({ route, outcome: request.status >= 200 && request.status < 300 ? 'accepted' : 'rejected' });
    }
  }

  /** A webhook delivery judged by its own route's code (for routes that answer 2xx to deliveries they ignore). */
  webhookDelivery(route: string, outcome: 'accepted' | 'rejected'): void {
    this.#webhookDeliveries.inc({ route, outcome });
  }

  /** The engine's observer (EngineObserver of @paved/engine, by shape: the server does not import the engine). */
  readonly engineObserver = {
    passEnded: (pass: { product: string; result: string; durationMs: number }) => {
      this.#reconciles.inc({ result: pass.result });
      this.#reconcileDuration.observe({ result: pass.result }, pass.durationMs / 1000);
    },
    firstReady: (instance: { product: string; timeToReadyMs: number }) => {
      this.#timeToReady.observe({ product: this.#productLabel(instance.product) }, instance.timeToReadyMs / 1000);
    },
  };

  #productLabel(product: string): string {
    if (this.#products.has(product)) return product;
    if (this.#products.size >= MAX_PRODUCTS) return 'other';
    this.#products.add(product);
    return product;
  }
}
