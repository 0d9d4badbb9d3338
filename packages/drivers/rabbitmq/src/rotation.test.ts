import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DriverError } from '@paved/model';
import { createRabbitmqDriver } from './index.js';
import { context, inventory, newName, openAs, rabbitTarget, rotationContext, unreachable } from './test-support.js';

const skip = await unreachable();
const skipHere = skip !== undefined && process.env.CI !== 'true';
if (skipHere) console.warn(`skipping rabbitmq rotation tests: ${skip}`);

describe.skipIf(skipHere)('rabbitmq credential rotation', () => {
  const driver = createRabbitmqDriver();
  const target = rabbitTarget();
  const names: string[] = [];
  afterAll(async () => {
    for (const name of names) for (const step of driver.deletion) await step.run(context(target, name, '')).catch(() => {});
  });

  it('rotate issues a second user, both work, and revoke cuts the old one off, live sessions included', async () => {
    const name = newName();
    names.push(name);
    const first = { password: randomBytes(24).toString('hex'), rotation: 0 };
    const second = { password: randomBytes(24).toString('hex'), rotation: 1 };
    const old = (await driver.create(context(target, name, first.password))).outputs;

    // An application connected with the old credential, mid-work.
    const live = await openAs(old);
    const closed = new Promise<void>((resolve) => live.once('close', () => resolve()));
    const channel = await live.createChannel();
    await channel.assertQueue('orders', { durable: true });

    const ctx = rotationContext(target, name, second, first);
    const rotated = (await driver.rotate!(ctx)).outputs;
    expect(rotated.username).toBe(`${name}_r1`);
    expect(rotated.password).toBe(second.password);
    expect(rotated.vhost).toBe(name);
    expect(rotated.url).toContain(`/${name}`);
    expect(await driver.rotate!(ctx)).toEqual({ outputs: rotated }); // idempotent
    expect(await driver.observe(ctx)).toMatchObject({ exists: true, upToDate: true, diff: [] });

    // Both credentials work during the grace period, on the same vhost and its queues.
    channel.sendToQueue('orders', Buffer.from('before revoke'));
    const fresh = await openAs(rotated);
    const freshChannel = await fresh.createChannel();
    await freshChannel.checkQueue('orders');
    await fresh.close();
    await (await openAs(old)).close();

    await driver.revoke!(ctx);
    await driver.revoke!(ctx); // idempotent
    // The broker closes the revoked user's live connection; nothing keeps running on it.
    await expect(Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 5_000))])).resolves.toBe('closed');
    await expect(openAs(old)).rejects.toThrow(/ACCESS[-_]REFUSED|403/);
    for (const check of driver.checks ?? []) await check.run({ target, instance: ctx.instance, outputs: rotated, signal: ctx.signal });
    expect(await inventory(name)).toEqual([`vhost ${name}`, `user ${name}_r1`]);
  });

  it('revoke refuses to remove the current credential', async () => {
    const name = newName();
    const pw = randomBytes(24).toString('hex');
    const failure = await driver.revoke!(rotationContext(target, name, { password: pw, rotation: 2 }, { password: pw, rotation: 2 })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DriverError);
    expect((failure as DriverError).retryable).toBe(false);
  });
});
