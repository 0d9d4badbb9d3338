import { describe, expect, it } from 'vitest';
import { runDriverConformance } from '@paved/driver-api/conformance';
import { DRIVER_PENDING, silentLogger, type Target } from '@paved/driver-api';
import { createScoreDriver } from './index.js';

const target: Target = { name: 'local-workloads', driver: 'score', labels: {}, config: { domain: 'localhost' } };

// Outputs are worked out by the server when a workload is applied and recorded in the values;
// nothing lives on a target, so `stateless` skips the existence checks.
runDriverConformance({
  name: 'score',
  createDriver: () => createScoreDriver(),
  target: () => target,
  outputs: ['host', 'url'],
  values: { resolved: { host: 'shop.payments.dev.localhost', url: 'http://shop.payments.dev.localhost:7470' } },
  stateless: true,
});

describe('score driver', () => {
  const ctx = (values: Record<string, unknown>) => ({
    instance: { id: '1', team: 'payments', name: 'shop-dns-dev', externalName: 'pv_payments_shop_dns_dev_00000001', product: 'dns', plan: 'default', values, workload: { service: 'shop', environment: 'dev' } },
    target,
    secrets: {},
    signal: new AbortController().signal,
    logger: silentLogger,
  });

  it('hands out what the workload apply recorded, as strings', async () => {
    const driver = createScoreDriver();
    expect(await driver.create(ctx({ resolved: { hostname: '127.0.0.1', port: 8080 } }))).toEqual({ outputs: { hostname: '127.0.0.1', port: '8080' } });
    expect((await driver.observe(ctx({ resolved: { host: 'a' } }))).outputs).toEqual({ host: 'a' });
  });

  it('waits, without failing, while the outputs wait for another workload', async () => {
    const error = await createScoreDriver().create(ctx({ resolved: { hostname: '127.0.0.1' }, waitingFor: 'workload a to be applied in dev' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: DRIVER_PENDING, message: 'Waits for workload a to be applied in dev' });
  });

  it('refuses an instance taken by hand: its outputs come from a Score file, and the remedy is to delete it', async () => {
    await expect(createScoreDriver().create(ctx({}))).rejects.toMatchObject({
      code: 'score_resource_without_workload',
      retryable: false,
      remedy: 'delete it (paved delete shop-dns-dev --team payments) and name the resource under resources: in a score.yaml, then run paved apply -f score.yaml --env ENV',
    });
  });

  it('is created without observing first, so a new instance\'s first pass says Creating', () => {
    // observe always finds it (stateless), so an observing first pass plans an update.
    expect(createScoreDriver().createsUnobserved).toBe(true);
  });
});
