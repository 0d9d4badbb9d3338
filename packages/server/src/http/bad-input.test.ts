import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseProductManifestsFromText } from '@paved/model';
import { createMemoryDriver } from '@paved/driver-memory';
import { createLogStreamDriver } from '@paved/driver-log-stream';
import { eachStore } from '@paved/store/testing';
import { startHarness, testManifest, TEST_TARGETS, type Caller, type Harness } from '../test-harness.js';
import { MAX_JSON_DEPTH } from './input-guards.js';

const logsManifest = () => parseProductManifestsFromText(readFileSync(new URL('../../../../products/logs.yaml', import.meta.url), 'utf8'), 'logs.yaml')[0]!;

/** `{"a":{"a":…}}` nested `depth` levels, built as text (building the object would be the problem). */
const nested = (depth: number, open = '{"a":', close = '}') => `${open.repeat(depth)}1${close.repeat(depth)}`;

eachStore('API: bad input is a 4xx problem naming the field', (open) => {
  let h: Harness;
  let member: Caller;
  const logs = '/api/v1/teams/orders/services/shop/environments/dev/logs';

  beforeAll(async () => {
    h = await startHarness(await open(), {
      drivers: { memory: createMemoryDriver(), 'log-stream': createLogStreamDriver() },
      targets: [...TEST_TARGETS, { name: 'local-logs', driver: 'log-stream', labels: {}, config: {} }],
    });
    member = await h.user('lena');
    await h.team('orders', [[member, 'member']]);
    await h.team('platform', [], { platform: true });
    const orders = (await h.store.getTeam({ name: 'orders' }))!;
    await h.store.createService({ teamId: orders.id, name: 'shop', description: 'The shop', lifecycle: 'experimental' });
    expect((await h.call(h.admin, 'POST', '/api/v1/products', logsManifest())).statusCode).toBeLessThan(300);
  });
  afterAll(() => h.close());

  it('refuses a since that reaches past any valid time (paved logs --since 99999999999d)', async () => {
    for (const since of ['99999999999d', `${'9'.repeat(60)}s`, '36501d']) {
      const res = await h.call(member, 'GET', `${logs}?since=${since}`);
      expect(res.statusCode, since).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'since_invalid', errors: [{ path: 'since' }] });
      const follow = await h.call(member, 'GET', `${logs}/follow?since=${since}`);
      expect(follow.statusCode, since).toBe(400);
      expect(follow.json().code).toBe('since_invalid');
    }
    expect((await h.call(member, 'GET', `${logs}?since=36500d`)).statusCode).toBe(200);
  });

  it('refuses a body nested 150,000 or 200,000 levels deep (within the size limit) before validating it, naming where', async () => {
    for (const [method, url] of [['POST', '/api/v1/teams'], ['POST', '/api/v1/products'], ['POST', logs], ['PUT', '/api/v1/teams/orders/members/lena']] as const) {
      for (const payload of [nested(150_000), nested(200_000, '[', ']'), `{"lines":${nested(MAX_JSON_DEPTH)}}`]) {
        const res = await h.app.inject({ method, url, headers: { authorization: `Bearer ${h.admin.token}`, 'content-type': 'application/json' }, payload });
        expect(res.statusCode, `${method} ${url}`).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json().code).toBe('body_too_deep');
        expect(res.json().errors[0].path).toMatch(/^body(\.(a|lines|\d+))+/);
      }
    }
    const callback = await h.app.inject({ method: 'POST', url: '/api/v1/callbacks/webhook/some-id', headers: { 'content-type': 'application/json' }, payload: nested(150_000) });
    expect(callback.statusCode).toBe(400);
    expect(callback.json().code).toBe('body_too_deep');
  });

  it('takes a body exactly as deep as the limit', async () => {
    // 64 levels: the body object and 63 nested inside it; the route then judges the content.
    const res = await h.app.inject({
      method: 'POST', url: '/api/v1/teams', headers: { authorization: `Bearer ${h.admin.token}`, 'content-type': 'application/json' },
      payload: `{"name":"deep","title":${nested(MAX_JSON_DEPTH - 1)}}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_input');
    expect(res.json().errors[0].path).toBe('body.title');
  });

  it('refuses a NUL character anywhere in body, query or path, naming where (PostgreSQL text cannot hold one)', async () => {
    const body = await h.call(h.admin, 'POST', '/api/v1/teams', { name: 'nul', title: 'a\u0000b' });
    expect(body.statusCode).toBe(400);
    expect(body.json()).toMatchObject({ code: 'nul_character', errors: [{ path: 'body.title' }] });
    const line = await h.call(member, 'POST', logs, { lines: [{ stream: 'stdout', line: 'ok' }, { stream: 'stdout', line: 'x\u0000' }] });
    expect(line.json()).toMatchObject({ code: 'nul_character', errors: [{ path: 'body.lines.1.line' }] });
    const query = await h.call(member, 'GET', `${logs}?grep=a%00b`);
    expect(query.statusCode).toBe(400);
    expect(query.json()).toMatchObject({ code: 'nul_character', errors: [{ path: 'query.grep' }] });
    expect((await h.call(h.admin, 'GET', '/api/v1/teams/nul')).statusCode).toBe(404); // nothing was written
  });

  it('refuses a cursor whose key no listing made, on every listing', async () => {
    for (const key of [[1e308], [-1], ['a\u0000', 'b']]) {
      const cursor = Buffer.from(JSON.stringify(key)).toString('base64url');
      for (const url of ['/api/v1/teams/orders/events', '/api/v1/teams/orders/instances', '/api/v1/teams/orders/services', '/api/v1/services']) {
        const res = await h.call(h.admin, 'GET', `${url}?cursor=${cursor}`);
        expect(res.statusCode, `${url} ${JSON.stringify(key)}`).toBe(400);
        expect(res.json().code).toBe('cursor_invalid');
      }
    }
  });

  it('still refuses prototype poisoning as invalid JSON', async () => {
    const res = await h.app.inject({
      method: 'POST', url: '/api/v1/teams', headers: { authorization: `Bearer ${h.admin.token}`, 'content-type': 'application/json' },
      payload: '{"name":"x","__proto__":{"admin":true}}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_json');
  });

  it('refuses at publish an input pattern RE2 cannot run, naming the field', async () => {
    await h.call(h.admin, 'PATCH', '/api/v1/teams/platform', { platform: true });
    const manifest = testManifest('platform', (m) => {
      m.metadata.name = 'lookahead';
      m.spec.inputs = { type: 'object', properties: { name: { type: 'string', pattern: '^(?!admin)[a-z]+$' } } };
    });
    const res = await h.call(h.admin, 'POST', '/api/v1/products', manifest);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('manifest_invalid');
    expect(res.json().errors).toEqual([{ path: 'spec.inputs.properties.name.pattern', message: expect.stringContaining('no backreferences, lookahead or lookbehind') }]);
  });

  it('matches a publisher\'s catastrophic pattern against a long input without stalling', async () => {
    const manifest = testManifest('platform', (m) => {
      m.metadata.name = 'catastrophic';
      m.spec.inputs = { type: 'object', properties: { name: { type: 'string', pattern: '^(a|a)+$' } } };
    });
    expect((await h.call(h.admin, 'POST', '/api/v1/products', manifest)).statusCode).toBe(201);
    const res = await h.call(member, 'POST', '/api/v1/teams/orders/instances', { name: 'x1', product: 'catastrophic', inputs: { name: `${'a'.repeat(10_000)}b` } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'inputs_invalid', errors: [{ path: 'inputs.name' }] });
  });
});
