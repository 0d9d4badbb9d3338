import { describe, expect, it } from 'vitest';
import { runDriverConformance } from '@paved/driver-api/conformance';
import { silentLogger, type Target } from '@paved/driver-api';
import { createLogStreamDriver, logStreamName } from './index.js';

const target: Target = { name: 'local-logs', driver: 'log-stream', labels: {}, config: {} };

// Lines live in Paved's store, not on a target: nothing to reach with another team's outputs
// and nothing left behind after delete, so `stateless` skips the existence checks.
runDriverConformance({
  name: 'log-stream',
  createDriver: () => createLogStreamDriver(),
  target: () => target,
  outputs: ['stream'],
  values: { retention: '7d' },
  stateless: true,
});

describe('log-stream driver', () => {
  const ctx = (workload: { service: string; environment: string }) => ({
    instance: { id: '1', team: 'orders', name: 'shop-logs', externalName: 'pv_orders_shop_logs_00000001', product: 'logs', plan: 'default', values: { retention: '7d' }, workload },
    target,
    secrets: {},
    signal: new AbortController().signal,
    logger: silentLogger,
  });

  it('names the stream team/service/environment and needs no secret', async () => {
    const driver = createLogStreamDriver();
    expect(driver.secrets).toEqual({});
    expect(await driver.create(ctx({ service: 'shop', environment: 'dev' }))).toEqual({ outputs: { stream: 'orders/shop/dev' } });
    expect((await driver.observe(ctx({ service: 'shop', environment: 'prod' }))).outputs).toEqual({ stream: 'orders/shop/prod' });
    expect(driver.deletion).toEqual([]);
  });

  it('falls back to the instance name when taken by hand', () => {
    expect(logStreamName({ team: 'orders', name: 'my-logs', values: {} })).toBe('orders/my-logs/default');
    expect(logStreamName({ team: 'orders', name: 'my-logs', values: { service: 'shop', environment: 'qa' } })).toBe('orders/shop/qa');
  });
});
