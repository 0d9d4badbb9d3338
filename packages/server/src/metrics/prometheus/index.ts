/**
 * @paved/server/prometheus: the platform's Prometheus registry and its endpoint, a module of
 * their own so that prom-client loads only in a process that serves metrics (bench/README.md §9).
 */
export { PlatformMetrics, MAX_PRODUCTS, UNMATCHED_ROUTE, type PlatformMetricsOptions } from './platform-metrics.js';
export { startMetricsEndpoint, type MetricsEndpoint } from './endpoint.js';
