import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckSession, type CheckSession, type ContractCheck, type Driver, type DriverContext } from '@paved/driver-api';
import { createRedisDriver } from './index.js';
import { MACHINE_URL, adminCall, context, redisTarget, skipUnlessCi, uniqueName, unreachable } from './test-support.js';

const skipHere = skipUnlessCi(await unreachable(MACHINE_URL), 'redis contract check tests');

describe.skipIf(skipHere)('redis contract checks (machine server)', () => {
  const target = redisTarget('machine', MACHINE_URL);
  let driver: Driver;
  const names: string[] = [];
  const check = (name: string): ContractCheck => {
    const found = driver.checks?.find((c) => c.name === name);
    if (!found) throw new Error(`no check ${name}`);
    return found;
  };
  const run = (name: string, ctx: DriverContext, outputs: Record<string, string>) =>
    check(name).run({ target, instance: ctx.instance, outputs, signal: new AbortController().signal });
  const created = async () => {
    const name = uniqueName();
    names.push(name);
    const ctx = context(target, name);
    return { name, ctx, outputs: (await driver.create(ctx)).outputs };
  };

  beforeAll(() => {
    driver = createRedisDriver();
  });
  afterAll(async () => {
    for (const name of names) for (const step of driver.deletion) await step.run(context(target, name)).catch(() => {});
    await driver.close?.();
  });

  it('offers connect, write-read and isolation, which pass on a good instance and leave no key', async () => {
    expect(driver.checks?.map((c) => c.name)).toEqual(['connect', 'write-read', 'isolation']);
    const { name, ctx, outputs } = await created();
    for (const c of ['connect', 'write-read', 'isolation']) await run(c, ctx, outputs);
    let cursor = '0';
    const keys: string[] = [];
    do {
      const [next, batch] = (await adminCall(MACHINE_URL, 'SCAN', cursor, 'MATCH', `${name}:*`, 'COUNT', 1000)) as [string, string[]];
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    expect(keys).toEqual([]);
  });

  it('share one tenant connection when run with a check session, which closes it', async () => {
    const { name, ctx, outputs } = await created();
    const session = createCheckSession();
    const keys: string[] = [];
    let closed = 0;
    const counting: CheckSession = {
      use: (key, open, close) =>
        session.use(key, () => (keys.push(key), open()), async (value) => {
          closed += 1;
          await close(value);
        }),
    };
    const clientsOf = async () => String(await adminCall(MACHINE_URL, 'CLIENT', 'LIST')).split('\n').filter((line) => line.includes(` user=${name} `));
    try {
      for (const c of driver.checks ?? []) await c.run({ target, instance: ctx.instance, outputs, signal: new AbortController().signal, session: counting });
      expect(keys).toEqual([`redis:${name}`]);
      expect(await clientsOf()).toHaveLength(1);
    } finally {
      await session.close();
    }
    expect(closed).toBe(1);
    // disconnect() does not wait for the server to drop the client: give it a moment.
    for (let i = 0; i < 50 && (await clientsOf()).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await clientsOf()).toEqual([]);
  });

  it('connect and write-read fail with one line when the user is deleted behind Paved', async () => {
    const { name, ctx, outputs } = await created();
    await adminCall(MACHINE_URL, 'ACL', 'DELUSER', name);
    for (const c of ['connect', 'write-read']) {
      const failure = (await run(c, ctx, outputs).catch((e: unknown) => e)) as Error;
      expect(failure.message).toMatch(new RegExp(`^redis: ${c} failed for "${name}": WRONGPASS`));
      expect(failure.message).not.toContain(outputs.password);
    }
  });

  it('write-read fails when the user lost write rights', async () => {
    const { name, ctx, outputs } = await created();
    await adminCall(MACHINE_URL, 'ACL', 'SETUSER', name, '-@write');
    await expect(run('write-read', ctx, outputs)).rejects.toThrow(new RegExp(`^redis: write-read failed for "${name}": NOPERM`));
  });

  it('isolation fails, naming what held not, when the key pattern or SCAN is opened', async () => {
    const { name, ctx, outputs } = await created();
    await adminCall(MACHINE_URL, 'ACL', 'SETUSER', name, '~*');
    await expect(run('isolation', ctx, outputs)).rejects.toThrow(
      new RegExp(`^redis isolation: user "${name}" could read key "paved-isolation-probe:[0-9a-f]+" outside its prefix "${name}:"$`),
    );
    await driver.update(ctx);
    await run('isolation', ctx, outputs);
    await adminCall(MACHINE_URL, 'ACL', 'SETUSER', name, '+scan');
    await expect(run('isolation', ctx, outputs)).rejects.toThrow(`redis isolation: user "${name}" could list keys with SCAN`);
  });

  it('isolation says the server went away, not that isolation failed, when its connection drops mid-check', async () => {
    const { name, ctx, outputs } = await created();
    const session: CheckSession = createCheckSession();
    try {
      const inSession = (c: string) => check(c).run({ target, instance: ctx.instance, outputs, signal: new AbortController().signal, session });
      await inSession('connect');
      // The session's connection is gone (a restart of the server looks the same to it).
      await adminCall(MACHINE_URL, 'CLIENT', 'KILL', 'USER', name);
      const error = await inSession('isolation').then(() => undefined, (e: unknown) => e as { code?: string; message: string });
      expect(error?.message).not.toMatch(/could read/);
      expect(error?.code).toBe('target_unreachable');
    } finally {
      await session.close();
    }
  });
});
