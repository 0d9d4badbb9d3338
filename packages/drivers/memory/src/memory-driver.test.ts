import { describe, it, expect } from 'vitest';
import { runDriverConformance } from '@paved/driver-api/conformance';
import { silentLogger, type DriverContext, type Target } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import { createMemoryDriver, type MemoryDriver } from './index.js';

const target: Target = { name: 'memory', driver: 'memory', labels: {}, config: {} };

runDriverConformance({
  name: 'memory',
  createDriver: () => createMemoryDriver(),
  target: () => target,
  outputs: ['name', 'token'],
  values: { size: 'small' },
  update: { values: { size: 'large' } },
  useCredentials: async (outputs, { driver }) => {
    const connection = (driver as MemoryDriver).connect(outputs);
    connection.write('greeting', 'hello');
    expect(connection.read('greeting')).toBe('hello');
  },
  crossAccess: async (victim, intruder, { driver }) => {
    (driver as MemoryDriver).connect({ name: victim.name ?? '', token: intruder.token ?? '' });
  },
  inventory: async (externalName, _target, { driver }) =>
    (driver as MemoryDriver).resources().has(externalName) ? [`resource ${externalName}`] : [],
});

// The same, declaring createsUnobserved both ways: the suite's unobserved-create case runs.
for (const mode of ['converges', 'refuses'] as const) {
  runDriverConformance({
    name: `memory (create ${mode} an existing resource)`,
    createDriver: () => createMemoryDriver({ createsUnobserved: mode }),
    target: () => target,
    outputs: ['name', 'token'],
    values: { size: 'small' },
    inventory: async (externalName, _target, { driver }) =>
      (driver as MemoryDriver).resources().has(externalName) ? [`resource ${externalName}`] : [],
  });
}

function context(name: string, token = 'a'.repeat(32)): DriverContext {
  return {
    instance: { id: name, team: 'team-a', name, externalName: name, product: 'p', plan: 'small', values: {} },
    target,
    secrets: { token },
    signal: new AbortController().signal,
    logger: silentLogger,
  };
}

describe('memory driver', () => {
  it('fails the next N calls of a method with a retryable DriverError, then works', async () => {
    const driver = createMemoryDriver({ failOn: { observe: 1 } });
    driver.failNext('create', 2);
    await expect(driver.observe(context('pv_a'))).rejects.toBeInstanceOf(DriverError);
    const failure = await driver.create(context('pv_a')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DriverError);
    expect((failure as DriverError).retryable).toBe(true);
    await expect(driver.create(context('pv_a'))).rejects.toThrow(/injected create failure/);
    await driver.create(context('pv_a'));
    expect(driver.resources().get('pv_a')?.token).toBe('a'.repeat(32));
    expect(driver.calls().create).toBe(3);
  });

  it('reports a changed credential as drift and repairs it on update', async () => {
    const driver = createMemoryDriver();
    await driver.create(context('pv_b', '1'.repeat(32)));
    const drifted = await driver.observe(context('pv_b', '2'.repeat(32)));
    expect(drifted).toMatchObject({ exists: true, upToDate: false });
    await driver.update(context('pv_b', '2'.repeat(32)));
    expect(() => driver.connect({ name: 'pv_b', token: '1'.repeat(32) })).toThrow(DriverError);
    expect(driver.connect({ name: 'pv_b', token: '2'.repeat(32) })).toBeDefined();
  });

  it('waits latencyMs per call and honours an abort during the wait', async () => {
    const driver = createMemoryDriver({ latencyMs: 20 });
    const started = performance.now();
    await driver.create(context('pv_c'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    const controller = new AbortController();
    const pending = driver.create({ ...context('pv_d'), signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(driver.resources().has('pv_d')).toBe(false);
  });

  it('creates 100 000 instances quickly without latency', async () => {
    const driver = createMemoryDriver();
    const base = context('pv_x');
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) {
      await driver.create({ ...base, instance: { ...base.instance, externalName: `pv_x_${i}` } });
    }
    expect(driver.resources().size).toBe(100_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('memory driver: rotation and checks', () => {
  const rotation = (base: DriverContext, rotationNumber: number, token: string, previousToken: string) => ({
    ...base,
    instance: { ...base.instance, rotation: rotationNumber },
    secrets: { token },
    previousSecrets: { token: previousToken },
    previousRotation: rotationNumber - 1,
  });

  it('rotate issues a second working credential; revoke removes only the previous one', async () => {
    const driver = createMemoryDriver();
    const base = context('rot', 'a'.repeat(32));
    const first = (await driver.create(base)).outputs;
    const second = (await driver.rotate!(rotation(base, 1, 'b'.repeat(32), 'a'.repeat(32)))).outputs;
    expect(second.token).toBe('b'.repeat(32));
    expect(() => driver.connect(first)).not.toThrow();
    expect(() => driver.connect(second)).not.toThrow();
    await driver.revoke!(rotation(base, 1, 'b'.repeat(32), 'a'.repeat(32)));
    await driver.revoke!(rotation(base, 1, 'b'.repeat(32), 'a'.repeat(32)));
    expect(() => driver.connect(first)).toThrow(DriverError);
    expect(() => driver.connect(second)).not.toThrow();
    // The current credential is never revoked by mistake.
    await expect(driver.revoke!({ ...rotation(base, 1, 'b'.repeat(32), 'a'.repeat(32)), previousRotation: 1 })).rejects.toThrow(/current one/);
  });

  it('offers connect, write-read and isolation checks that pass with good outputs and fail with bad ones or on demand', async () => {
    const driver = createMemoryDriver();
    const outputs = (await driver.create(context('chk'))).outputs;
    const run = (name: string, o: Record<string, string>) =>
      driver.checks!.find((c) => c.name === name)!.run({ target, instance: context('chk').instance, outputs: o, signal: new AbortController().signal });
    expect(driver.checks!.map((c) => c.name)).toEqual(['connect', 'write-read', 'isolation']);
    for (const name of ['connect', 'write-read', 'isolation']) await run(name, outputs);
    await expect(run('connect', { ...outputs, token: 'wrong' })).rejects.toThrow(/refused/);
    driver.failCheck('isolation', 'memory check isolation: can reach "other"');
    await expect(run('isolation', outputs)).rejects.toThrow('memory check isolation: can reach "other"');
    await run('isolation', outputs);
  });
});
