import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Driver } from '@paved/driver-api';
import { createRedisDriver } from './index.js';
import { MACHINE_URL, adminCall, context, redisTarget, rotationContext, skipUnlessCi, tenant, uniqueName, unreachable } from './test-support.js';

const skipHere = skipUnlessCi(await unreachable(MACHINE_URL), 'redis rotation tests');

describe.skipIf(skipHere)('redis credential rotation (machine server)', () => {
  const target = redisTarget('machine', MACHINE_URL);
  let driver: Driver;
  const names: string[] = [];

  beforeAll(() => {
    driver = createRedisDriver();
  });
  afterAll(async () => {
    for (const name of names) for (const step of driver.deletion) await step.run(context(target, name)).catch(() => {});
    await driver.close?.();
  });

  it('rotate adds a second credential, revoke removes the old one and cuts its sessions only', async () => {
    const name = uniqueName();
    names.push(name);
    const first = context(target, name);
    const { outputs: oldOutputs } = await driver.create(first);
    const oldSession = await tenant(oldOutputs);
    await oldSession.set(`${name}:k`, 'v1');

    const second = context(target, name, { rotation: 1 });
    const { outputs: newOutputs } = await driver.rotate!(rotationContext(second, first));
    expect(newOutputs.username).toBe(`${name}_r1`);
    expect(newOutputs.prefix).toBe(oldOutputs.prefix);
    expect(newOutputs.url).toContain(`${name}_r1:`);
    // Rotating twice is the same credential.
    expect((await driver.rotate!(rotationContext(second, first))).outputs).toEqual(newOutputs);

    // Grace period: the old session keeps working, a new login with either credential works,
    // and both see the same keys.
    expect(await oldSession.get(`${name}:k`)).toBe('v1');
    const newSession = await tenant(newOutputs);
    expect(await newSession.get(`${name}:k`)).toBe('v1');
    (await tenant(oldOutputs)).disconnect();
    expect(await driver.observe(second)).toMatchObject({ exists: true, upToDate: true, diff: [] });

    await driver.revoke!(rotationContext(second, first));
    await driver.revoke!(rotationContext(second, first));
    // Redis disconnects the deleted user's sessions: the old one is cut, the new one goes on.
    await expect(oldSession.get(`${name}:k`)).rejects.toThrow();
    oldSession.disconnect();
    await expect(tenant(oldOutputs)).rejects.toThrow();
    expect(await newSession.get(`${name}:k`)).toBe('v1');
    newSession.disconnect();

    // Revoke never removes the current credential, whatever it is asked.
    await driver.revoke!(rotationContext(second, second));
    (await tenant(newOutputs)).disconnect();
  });

  it('deletion removes every credential whatever rotation it is at, and cuts live sessions', async () => {
    const name = uniqueName();
    names.push(name);
    const first = context(target, name);
    const { outputs: o0 } = await driver.create(first);
    const second = context(target, name, { rotation: 1 });
    const { outputs: o1 } = await driver.rotate!(rotationContext(second, first));
    const third = context(target, name, { rotation: 2 });
    const { outputs: o2 } = await driver.rotate!(rotationContext(third, second));
    const sessions = await Promise.all([o0, o1, o2].map((o) => tenant(o)));
    await sessions[2]!.set(`${name}:data`, 'x');

    for (const step of driver.deletion) await step.run(third);
    const users = (await adminCall(MACHINE_URL, 'ACL', 'USERS')) as string[];
    expect(users.filter((u) => u.startsWith(name))).toEqual([]);
    expect(await adminCall(MACHINE_URL, 'EXISTS', `${name}:data`)).toBe(0);
    for (const session of sessions) {
      await expect(session.ping()).rejects.toThrow();
      session.disconnect();
    }
  });
});
