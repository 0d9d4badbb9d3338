import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '@paved/store';
import { startHarness, type Harness } from '../../test-harness.js';
import { startMetricsEndpoint, type MetricsEndpoint } from './endpoint.js';
import { MAX_PRODUCTS, PlatformMetrics } from './platform-metrics.js';

/** The value of one series in a Prometheus text exposition, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus metrics', () => {
  let store: Store;
  let h: Harness;
  let metrics: PlatformMetrics;
  let endpoint: MetricsEndpoint;

  beforeAll(async () => {
    store = await createStore({ url: ':memory:' });
    await store.migrate();
    metrics = new PlatformMetrics({ store, processMetrics: false });
    h = await startHarness(store, { metrics });
    endpoint = await startMetricsEndpoint(metrics, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await endpoint?.close();
    await h?.close();
    await store?.close();
  });

  const scrape = async () => {
    const res = await fetch(endpoint.url);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  it('counts requests by route pattern and status, never by URL or name', async () => {
    const dev = await h.user('secret-sounding-user');
    await h.team('team-with-a-telling-name', [[dev, 'member']]);
    await h.call(dev, 'GET', '/api/v1/teams/team-with-a-telling-name');
    await h.call(dev, 'GET', '/api/v1/teams/team-with-a-telling-name');
    await h.call(dev, 'GET', '/api/v1/teams/another-team');
    await h.call(undefined, 'GET', '/api/v1/no/such/route');
    const text = await scrape();
    expect(sample(text, 'paved_http_requests_total{method="GET",route="/api/v1/teams/:team",status="200"}')).toBe(2);
    expect(sample(text, 'paved_http_requests_total{method="GET",route="/api/v1/teams/:team",status="404"}')).toBe(1);
    expect(sample(text, 'paved_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(sample(text, 'paved_http_request_duration_seconds_count{method="GET",route="/api/v1/teams/:team"}')).toBe(3);
    // An anonymous scraper learns no team, user or instance name.
    expect(text).not.toMatch(/telling-name|another-team|secret-sounding|no\/such/);
  });

  it('counts webhook deliveries, reconciles by result, time to Ready by product and the queue', async () => {
    metrics.httpRequest({ method: 'POST', route: '/api/v1/webhooks/github', status: 202, durationMs: 3 });
    metrics.httpRequest({ method: 'POST', route: '/api/v1/webhooks/github', status: 401, durationMs: 1 });
    metrics.engineObserver.passEnded({ product: 'pg', result: 'ready', durationMs: 40 });
    metrics.engineObserver.passEnded({ product: 'pg', result: 'retrying', durationMs: 10 });
    metrics.engineObserver.firstReady({ product: 'pg', timeToReadyMs: 1_500 });
    const team = await store.createTeam({ name: 'q', title: 'Q' });
    for (const name of ['a', 'b']) {
      await store.createInstance({ teamId: team.id, name, product: 'pg', productVersion: '1.0.0', plan: 'small', inputs: {}, externalName: name, target: 't', createdBy: 'x' });
    }
    await store.claimDue({ owner: 'w', leaseMs: 60_000, limit: 1 });
    const text = await scrape();
    expect(sample(text, 'paved_webhook_deliveries_total{route="/api/v1/webhooks/github",outcome="accepted"}')).toBe(1);
    expect(sample(text, 'paved_webhook_deliveries_total{route="/api/v1/webhooks/github",outcome="rejected"}')).toBe(1);
    expect(sample(text, 'paved_reconciles_total{result="ready"}')).toBe(1);
    expect(sample(text, 'paved_reconciles_total{result="retrying"}')).toBe(1);
    expect(sample(text, 'paved_time_to_ready_seconds_bucket{le="1",product="pg"}')).toBe(0);
    expect(sample(text, 'paved_time_to_ready_seconds_bucket{le="2",product="pg"}')).toBe(1);
    expect(sample(text, 'paved_time_to_ready_seconds_sum{product="pg"}')).toBe(1.5);
    expect(sample(text, 'paved_queue_due_instances')).toBe(1);
    expect(sample(text, 'paved_queue_leased_instances')).toBe(1);
  });

  it('exports the depth of the webhook inbox: deliveries accepted and not yet applied', async () => {
    // A store no server drains, so what waits stays put.
    const own = await createStore({ url: ':memory:' });
    try {
      await own.migrate();
      const local = new PlatformMetrics({ store: own, processMetrics: false });
      for (const id of ['inbox-1', 'inbox-2', 'inbox-1']) await own.queueDelivery({ source: 'github', deliveryId: id, event: 'push', facts: [] });
      const text = await local.registry.metrics();
      expect(sample(text, 'paved_webhook_inbox_waiting_deliveries')).toBe(2);
      expect(sample(text, 'paved_webhook_inbox_failed_deliveries')).toBe(0);
    } finally {
      await own.close();
    }
  });

  it('caps the product label, and answers only GET /metrics', async () => {
    const local = new PlatformMetrics({ processMetrics: false });
    for (let i = 0; i <= MAX_PRODUCTS; i++) local.engineObserver.firstReady({ product: `p${i}`, timeToReadyMs: 1 });
    const text = await local.registry.metrics();
    expect(sample(text, 'paved_time_to_ready_seconds_count{product="other"}')).toBe(1);
    expect(sample(text, `paved_time_to_ready_seconds_count{product="p${MAX_PRODUCTS - 1}"}`)).toBe(1);
    expect((await fetch(endpoint.url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(endpoint.url, { method: 'POST' })).status).toBe(405);
    // The API itself serves no /metrics: what the endpoint shows is not on the API's port.
    expect((await h.app.inject({ url: '/metrics' })).statusCode).toBe(404);
  });
});
