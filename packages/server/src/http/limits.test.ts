import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProductManifestsFromText } from '@paved/model';
import { createMemoryDriver } from '@paved/driver-memory';
import { createLogStreamDriver } from '@paved/driver-log-stream';
import { eachStore } from '@paved/store/testing';
import { startHarness, TEST_TARGETS, type Caller, type Harness } from '../test-harness.js';

const logsManifest = () => parseProductManifestsFromText(readFileSync(new URL('../../../../products/logs.yaml', import.meta.url), 'utf8'), 'logs.yaml')[0]!;
const wrongToken = `pvd_${'W'.repeat(43)}`;

eachStore('API rate limits', (open) => {
  let h: Harness;
  let ann: Caller;
  let bob: Caller;
  beforeAll(async () => {
    h = await startHarness(await open(), { rateLimits: { requestsPerHour: 5, authFailuresPerMinute: 3 } });
    ann = await h.user('ann');
    bob = await h.user('bob');
  });
  afterAll(() => h.close());

  const as = (caller: Caller | string, remoteAddress = '127.0.0.1') => h.app.inject({
    method: 'GET', url: '/api/v1/whoami', remoteAddress,
    headers: { authorization: `Bearer ${typeof caller === 'string' ? caller : caller.token}` },
  });

  it('counts requests per token, says what is left, and answers 429 with retry-after past the limit', async () => {
    for (let i = 1; i <= 5; i++) {
      const res = await as(ann);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('5');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(5 - i));
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    }
    const limited = await as(ann);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.json()).toMatchObject({ status: 429, code: 'rate_limited', instance: '/api/v1/whoami' });
    expect(limited.json().detail).toMatch(/at most 5 an hour; retry in \d+ s/);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    // Another token is counted on its own; health is never limited.
    expect((await as(bob)).statusCode).toBe(200);
    for (let i = 0; i < 10; i++) expect((await h.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('throttles an address that keeps presenting wrong tokens, before looking at its next token', async () => {
    const guesser = '127.0.0.2';
    for (let i = 0; i < 3; i++) expect((await as(wrongToken, guesser)).json().code).toBe('token_invalid');
    const throttled = await as(wrongToken, guesser);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().code).toBe('auth_rate_limited');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    // A right token from that address is refused too until the minute is over: a correct guess looks like a wrong one.
    expect((await as(bob, guesser)).json().code).toBe('auth_rate_limited');
    // Other addresses are not affected, and a request without a token is not a guess.
    expect((await as(bob, '127.0.0.3')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await h.app.inject({ url: '/api/v1/whoami', remoteAddress: '127.0.0.4' })).json().code).toBe('token_missing');
    expect((await as(bob, '127.0.0.4')).statusCode).toBe(200);
  });
});

eachStore('API stream caps', (open) => {
  let h: Harness;
  let lena: Caller;
  let otto: Caller;
  let base: string;
  const logs = '/api/v1/teams/orders/services/shop/environments/dev/logs/follow';
  const controllers: AbortController[] = [];

  beforeAll(async () => {
    h = await startHarness(await open(), {
      streamsPerUser: 2,
      drivers: { memory: createMemoryDriver(), 'log-stream': createLogStreamDriver() },
      targets: [...TEST_TARGETS, { name: 'local-logs', driver: 'log-stream', labels: {}, config: {} }],
    });
    lena = await h.user('lena');
    otto = await h.user('otto');
    await h.team('orders', [[lena, 'member'], [otto, 'member']]);
    await h.team('platform', [], { platform: true });
    const orders = (await h.store.getTeam({ name: 'orders' }))!;
    await h.store.createService({ teamId: orders.id, name: 'shop', description: 'The shop', lifecycle: 'experimental' });
    expect((await h.call(h.admin, 'POST', '/api/v1/products', logsManifest())).statusCode).toBeLessThan(300);
    await h.product('platform');
    expect((await h.call(lena, 'POST', '/api/v1/teams/orders/instances', { name: 'db1', product: 'pgdb' })).statusCode).toBe(202);
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const controller of controllers) controller.abort();
    await h.close();
  });

  /** Opens a stream over real HTTP; resolves once the status line is in. */
  async function stream(caller: Caller, path: string) {
    const controller = new AbortController();
    controllers.push(controller);
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${caller.token}`, accept: 'text/event-stream' }, signal: controller.signal });
    return { response, close: () => controller.abort() };
  }

  it('refuses a user a stream past the cap (watches and follows together) with a 429 problem, and frees the slot on close', async () => {
    const watch = await stream(lena, '/api/v1/teams/orders/instances/db1/watch');
    const follow = await stream(lena, logs);
    expect([watch.response.status, follow.response.status]).toEqual([200, 200]);
    // A stream takes the reply over from Fastify; the security headers are on it all the same.
    expect(follow.response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(follow.response.headers.get('content-type')).toMatch(/^text\/event-stream/);

    const third = await stream(lena, logs);
    expect(third.response.status).toBe(429);
    expect(third.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await third.response.json()).toMatchObject({ code: 'too_many_streams', status: 429 });
    // The cap is per user.
    const others = await stream(otto, '/api/v1/teams/orders/instances/db1/watch');
    expect(others.response.status).toBe(200);
    // A refused subscription (no such instance) does not keep a slot either.
    expect((await stream(otto, '/api/v1/teams/orders/instances/nope/watch')).response.status).toBe(404);
    expect((await stream(otto, logs)).response.status).toBe(200);

    // Closing a stream frees its slot once the server sees the connection go.
    watch.close();
    const deadline = Date.now() + 20_000;
    let again = await stream(lena, logs);
    while (again.response.status === 429 && Date.now() < deadline) {
      await again.response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 25));
      again = await stream(lena, logs);
    }
    expect(again.response.status).toBe(200);
  });
});
