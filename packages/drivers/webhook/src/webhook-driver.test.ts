import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDriverConformance } from '@paved/driver-api/conformance';
import { DriverError } from '@paved/model';
import { createWebhookDriver } from './index.js';
import { startAutomation, type Automation } from './test-automation.js';
import { context, newSecret, runCheck, startCallbackReceiver, webhookConformance, webhookTarget } from './test-support.js';

// The automation is a real HTTP server started here, so nothing outside this process is needed.
const secret = newSecret();
let sync: Automation;
beforeAll(async () => {
  sync = await startAutomation({ secret, mode: 'sync' });
});
afterAll(async () => {
  await sync?.close();
});

runDriverConformance(webhookConformance('webhook (synchronous automation)', () => sync, secret));

const driver = createWebhookDriver();
/** A port nothing listens on. */
const closedPort = async (): Promise<number> => {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
};
const rejection = async (promise: Promise<unknown>): Promise<DriverError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DriverError);
  return error as DriverError;
};

describe('webhook requests', () => {
  it('signs each request, names the delivery in a header, and sends secrets only with create/update', async () => {
    const target = webhookTarget(sync.url, secret);
    const base = context(target);
    const ctx = { ...base, instance: { ...base.instance, workload: { service: 'shop', environment: 'prod' } } };
    sync.requests.length = 0;
    await driver.observe(ctx);
    await driver.create(ctx);
    await driver.deletion[0]!.run(ctx);
    const [observe, create, del] = sync.requests;
    for (const request of [observe!, create!, del!]) {
      expect(request.headers['paved-delivery']).toBe(request.body.deliveryId);
      expect(request.headers['paved-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      // Every field of the instance, the workload that asked for it included.
      expect(request.body).toMatchObject({ apiVersion: 'paved.dev/v1alpha1', instance: { ...ctx.instance, rotation: 0 } });
    }
    expect(create!.body.secrets).toEqual(ctx.secrets);
    expect(observe!.raw).not.toContain(ctx.secrets.password);
    expect(del!.raw).not.toContain(ctx.secrets.password);
  });

  it('gives a retried call the same delivery id and a changed spec or password a new one', async () => {
    const target = webhookTarget(sync.url, secret);
    const ctx = context(target);
    sync.requests.length = 0;
    await driver.create(ctx);
    await driver.create(ctx);
    await driver.create({ ...ctx, secrets: { password: 'f'.repeat(48) } });
    await driver.create({ ...ctx, instance: { ...ctx.instance, values: { size: 'large' } } });
    const ids = sync.requests.map((r) => r.deliveryId);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(new Set(ids).size).toBe(3);
    await driver.deletion[0]!.run(ctx);
  });

  it('refuses a request signed with the wrong secret on the automation side, and says which setting to fix', async () => {
    const error = await rejection(driver.observe(context(webhookTarget(sync.url, newSecret()))));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/answered HTTP 401 \(is config\.secret the same on both sides\?\)/);
    const preflight = await driver.preflight(webhookTarget(sync.url, newSecret()));
    expect(preflight.ok).toBe(false);
    expect(preflight.problems[0]).toMatch(/make config\.secret equal to the secret the automation verifies/);
    expect(await driver.preflight(webhookTarget(sync.url, secret))).toMatchObject({ ok: true, problems: [] });
  });

  it('treats 5xx, 429, 408 and network errors as retryable, other 4xx as permanent, and never shows a secret', async () => {
    const target = webhookTarget(sync.url, secret);
    for (const [status, retryable] of [[503, true], [500, true], [429, true], [408, true], [422, false], [400, false], [404, false]] as const) {
      const ctx = context(target);
      sync.failNext(status);
      const error = await rejection(driver.create(ctx));
      expect(error.retryable, `HTTP ${status}`).toBe(retryable);
      expect(error.message).toContain(`answered HTTP ${status}`);
      // The automation echoed the secrets and the message shows a bounded, redacted snippet.
      expect(error.message).toContain('[redacted]');
      expect(error.message).not.toContain(ctx.secrets.password);
      expect(error.message).not.toContain(secret);
    }
    const port = await closedPort();
    const down = await rejection(driver.observe(context(webhookTarget(`http://127.0.0.1:${port}/paved?token=abc`, secret))));
    expect(down.retryable).toBe(true);
    expect(down.message).toMatch(new RegExp(`^webhook: observe of "pv_wh_[0-9a-f]+" at http://127\\.0\\.0\\.1:${port}/paved failed: ECONNREFUSED$`));
  });

  it('times out after config.timeout (retryable) and passes the caller\'s abort through', async () => {
    const target = webhookTarget(sync.url, secret, { timeout: '200ms' });
    // The automation would answer after 10 s; giving up well before that is the timeout at work.
    sync.stallNext(10_000);
    const started = Date.now();
    const error = await rejection(driver.observe(context(target)));
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(error.retryable).toBe(true);
    expect(error.code).toBe('webhook_timeout');
    expect(error.message).toMatch(/timed out after 200 ms/);

    const controller = new AbortController();
    const reason = new Error('lease lost');
    sync.stallNext(1500);
    const pending = driver.observe(context(webhookTarget(sync.url, secret), undefined, undefined, controller.signal));
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });

  it('does not follow redirects (a signed body with secrets must not go elsewhere)', async () => {
    const { createServer } = await import('node:http');
    let followed = false;
    const server = createServer((req, res) => {
      if (req.url === '/elsewhere') followed = true;
      res.writeHead(307, { location: '/elsewhere' }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const error = await rejection(driver.create(context(webhookTarget(`http://127.0.0.1:${port}/paved`, secret))));
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/HTTP 307 \(Paved does not follow redirects/);
      expect(followed).toBe(false);
    } finally {
      server.close();
    }
  });

  it('rejects a bad target config and a protocol-breaking answer, naming the field', async () => {
    const noSecret = await rejection(driver.observe(context({ ...webhookTarget(sync.url, ''), config: { url: sync.url } })));
    expect(noSecret.issues[0]?.path).toBe('config.secret');
    const badUrl = await rejection(driver.observe(context(webhookTarget('ftp://x', secret))));
    expect(badUrl.issues[0]?.path).toBe('config.url');
    const badTimeout = await rejection(driver.observe(context(webhookTarget(sync.url, secret, { timeout: 'soon' }))));
    expect(badTimeout.issues[0]?.path).toBe('config.timeout');
  });
});

describe('asynchronous automation (202 + callback)', () => {
  let automation: Automation;
  let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
  beforeAll(async () => {
    receiver = await startCallbackReceiver(secret);
    automation = await startAutomation({ secret, mode: 'async', delayMs: 100 });
  });
  afterAll(async () => {
    await automation?.idle();
    await automation?.close();
    await receiver?.close();
  });

  it('waits (retryable, naming the delivery), never starts the same work twice, then completes after the callback', async () => {
    const target = webhookTarget(automation.url, secret, { callbackBaseUrl: `${receiver.url}/` });
    const ctx = context(target);
    expect((await driver.observe(ctx)).exists).toBe(false);
    const first = await rejection(driver.create(ctx));
    expect(first.retryable).toBe(true);
    const deliveryId = automation.requests.at(-1)!.deliveryId;
    expect(first.message).toBe(`waiting for the automation to finish create (delivery ${deliveryId})`);
    expect(automation.requests.at(-1)!.body.callbackUrl).toBe(`${receiver.url}/api/v1/callbacks/webhook/${ctx.instance.id}`);
    // While it works, observe says so and a repeated create is the same delivery.
    const observing = await rejection(driver.observe(ctx));
    expect(observing.message).toBe(first.message);
    expect((await rejection(driver.create(ctx))).message).toBe(first.message);

    await automation.idle();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]).toMatchObject({ path: `/api/v1/callbacks/webhook/${ctx.instance.id}`, valid: true, body: { deliveryId, verb: 'create', status: 'succeeded' } });
    expect((await driver.observe(ctx)).exists).toBe(true);
    // The engine then collects the outputs with update: the automation answers at once.
    const { outputs } = await driver.update(ctx);
    expect(outputs.password).toBe(ctx.secrets.password);
    await runCheck('write-read', target, outputs);

    const deleting = await rejection(driver.deletion[0]!.run(ctx));
    expect(deleting.message).toMatch(/^waiting for the automation to finish delete \(delivery [0-9a-f-]{36}\)$/);
    await automation.idle();
    await driver.deletion[0]!.run(ctx);
    expect((await driver.observe(ctx)).exists).toBe(false);
    expect(automation.resources.has(ctx.instance.externalName)).toBe(false);
  });

  it('reports a failed asynchronous create in the status message, and a new create retries it', async () => {
    const target = webhookTarget(automation.url, secret, { callbackBaseUrl: receiver.url });
    const ctx = context(target);
    automation.failNextAsync(`region eu-1 is out of capacity (password ${ctx.secrets.password})`);
    await rejection(driver.create(ctx));
    const deliveryId = automation.requests.at(-1)!.deliveryId;
    await automation.idle();
    expect(receiver.received.at(-1)?.body).toMatchObject({ status: 'failed', verb: 'create' });
    const failed = await rejection(driver.observe(ctx));
    expect(failed.retryable).toBe(false);
    expect(failed.message).toBe(`the automation reports that create failed (delivery ${deliveryId}): region eu-1 is out of capacity (password [redacted])`);
    await rejection(driver.create(ctx));
    await automation.idle();
    expect((await driver.observe(ctx)).exists).toBe(true);
    await rejection(driver.deletion[0]!.run(ctx));
    await automation.idle();
  });
});

describe('contract checks', () => {
  it('pass on a working instance and fail with one line once the resource is gone behind Paved\'s back', async () => {
    const target = webhookTarget(sync.url, secret);
    const ctx = context(target);
    const { outputs } = await driver.create(ctx);
    expect(driver.checks?.map((c) => c.name)).toEqual(['connect', 'write-read', 'isolation']);
    for (const name of ['connect', 'write-read', 'isolation']) await runCheck(name, target, outputs);
    sync.resources.delete(ctx.instance.externalName);
    const error = await rejection(runCheck('connect', target, outputs));
    expect(error.message).toBe(`check "connect" of "${ctx.instance.externalName}" did not hold: login ${ctx.instance.externalName} refused`);
    expect(error.message).not.toContain(ctx.secrets.password);
  });
});
