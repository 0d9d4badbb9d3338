import { describe, it, expect } from 'vitest';
import { runDriverConformance } from '@paved/driver-api/conformance';
import { silentLogger, type Target } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import { createSecretDriver } from './index.js';

const target: Target = { name: 'none', driver: 'secret', labels: {}, config: {} };

// A secret lives only in Paved's secret store: there is no external resource to reach with
// another team's outputs (cross-access) and nothing left on a target after delete (assertGone),
// so those checks are vacuous; `stateless` skips the existence checks. What still matters is
// that outputs are exactly the engine's value, stable on repeat, distinct per instance.
runDriverConformance({
  name: 'secret',
  createDriver: () => createSecretDriver(),
  target: () => target,
  outputs: ['value'],
  stateless: true,
});

describe('secret driver', () => {
  const ctx = (secrets: Record<string, string>) => ({
    instance: { id: '1', team: 'team-a', name: 'api-key', externalName: 'pv_team_a_api_key_00000001', product: 'secret', plan: 'default', values: {} },
    target,
    secrets,
    signal: new AbortController().signal,
    logger: silentLogger,
  });

  it('asks the engine for 32 random bytes and issues them as "value"', async () => {
    const driver = createSecretDriver();
    expect(driver.secrets).toEqual({ value: { bytes: 32 } });
    const value = 'ab'.repeat(32);
    expect(await driver.create(ctx({ value }))).toEqual({ outputs: { value } });
    expect(await driver.update(ctx({ value: 'cd'.repeat(32) }))).toEqual({ outputs: { value: 'cd'.repeat(32) } });
    expect(driver.deletion).toEqual([]);
    // Create is update: a first pass creates without observing (the conformance suite checks the promise).
    expect(driver.createsUnobserved).toBe(true);
  });

  it('refuses to issue when the engine passed no value', async () => {
    const failure = await createSecretDriver().create(ctx({})).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DriverError);
    expect((failure as DriverError).issues[0]?.path).toBe('secrets.value');
  });
});
