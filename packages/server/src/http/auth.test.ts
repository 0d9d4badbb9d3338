import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { startHarness, type Harness } from '../test-harness.js';

eachStore('API authentication', (open) => {
  let h: Harness;
  const logLines: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
    h = await startHarness(await open(), { logger: { level: 'info', stream } });
  });
  afterAll(() => h.close());

  it('answers a request without a token with a 401 problem', async () => {
    const res = await h.call(undefined, 'GET', '/api/v1/whoami');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toMatchObject({ status: 401, code: 'token_missing', type: 'https://paved.dev/problems/token_missing', instance: '/api/v1/whoami' });
  });

  it('refuses a wrong, a malformed and a non-bearer token alike', async () => {
    const wellFormedButUnknown = `pvd_${'A'.repeat(43)}`;
    for (const authorization of [`Bearer ${wellFormedButUnknown}`, 'Bearer nonsense', `Basic ${h.admin.token}`, 'Bearer', `Bearer ${h.admin.token}x`]) {
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/teams', headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json().code).toBe('token_invalid');
    }
  });

  it('knows the caller from a valid token', async () => {
    const res = await h.call(h.admin, 'GET', '/api/v1/whoami');
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ name: h.admin.user.name, admin: true });
  });

  it('issues tokens to admins and to users themselves, shown once and stored only hashed', async () => {
    const ann = await h.user('ann');
    const bob = await h.user('bob');
    expect(ann.token).toMatch(/^pvd_[A-Za-z0-9_-]{43}$/);
    const own = await h.call(ann, 'POST', `/api/v1/users/ann/tokens`, { name: 'laptop' });
    expect(own.statusCode).toBe(201);
    const fresh = own.json().token as string;
    const withFresh = await h.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: { authorization: `Bearer ${fresh}` } });
    expect(withFresh.json().user.name).toBe('ann');
    expect(await h.store.findUserByTokenHash(fresh)).toBeUndefined(); // the token itself is not a key

    const other = await h.call(bob, 'POST', `/api/v1/users/ann/tokens`, { name: 'steal' });
    expect(other.statusCode).toBe(404); // another user's tokens are not bob's business
    const create = await h.call(bob, 'POST', '/api/v1/users', { name: 'eve' });
    expect(create.statusCode).toBe(403);
    expect(create.json().code).toBe('admin_required');
    expect(await h.store.getUser({ name: 'eve' })).toBeUndefined();
  });

  it('serves health, readiness and the OpenAPI document without a token', async () => {
    expect((await h.app.inject({ url: '/healthz' })).json()).toMatchObject({ status: 'ok' });
    expect((await h.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/openapi.json' })).statusCode).toBe(200);
  });

  it('answers an unknown route with a route_not_found problem', async () => {
    const res = await h.call(h.admin, 'GET', '/api/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('route_not_found');
  });

  it('never writes a token into the request log', async () => {
    await h.call(h.admin, 'GET', '/api/v1/whoami');
    await h.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: { authorization: `Bearer pvd_${'B'.repeat(43)}` } });
    const log = logLines.join('');
    expect(log).toContain('/api/v1/whoami'); // the requests were logged…
    expect(log).not.toContain(h.admin.token); // …without their credentials
    expect(log).not.toContain('B'.repeat(43));
  });

  it("never writes a token into the log of the process's own pino logger either", async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const other = await startHarness(h.store, { logger: pino({ level: 'debug' }, stream) });
    try {
      expect((await other.call(other.admin, 'GET', '/api/v1/whoami')).statusCode).toBe(200);
      expect(lines.join('')).toContain('/api/v1/whoami');
      expect(lines.join('')).not.toContain(other.admin.token);
    } finally {
      await other.close();
    }
  });
});

describe('readiness', () => {
  it('is a 503 problem when the store does not answer', async () => {
    const { createStore } = await import('@paved/store');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'paved-readyz-'));
    const store = await createStore({ url: join(dir, 'paved.db') });
    await store.migrate();
    const h = await startHarness(store);
    await store.close();
    const res = await h.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'store_unreachable', status: 503 });
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
