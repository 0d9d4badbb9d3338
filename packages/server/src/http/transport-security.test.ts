import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { startHarness, type Harness } from '../test-harness.js';
import { selfSignedCertificate } from './certificate.test-support.js';

/** GET over HTTPS trusting `ca` only; resolves with status, headers and body. */
function httpsGet(url: string, ca: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = httpsRequest(url, { ca, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const API_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
};

eachStore('API security headers and request logs', (open) => {
  let h: Harness;
  const logLines: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
    h = await startHarness(await open(), { logger: { level: 'info', stream } });
  });
  afterAll(() => h.close());

  it('sends the security headers on answers, problems and unknown routes alike, and no HSTS over plain HTTP', async () => {
    for (const res of [
      await h.call(h.admin, 'GET', '/api/v1/whoami'),
      await h.call(undefined, 'GET', '/api/v1/whoami'),
      await h.call(h.admin, 'GET', '/api/v1/nothing-here'),
      await h.app.inject({ url: '/healthz' }),
      await h.app.inject({ url: '/api/openapi.json' }),
    ]) {
      expect(res.headers).toMatchObject(API_HEADERS);
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('logs the route and path of a request, never its query string', async () => {
    const secret = `pvd_${'Q'.repeat(43)}`;
    const res = await h.call(h.admin, 'GET', `/api/v1/teams?token=${secret}&limit=5`);
    expect(res.statusCode).toBe(400); // `token` is not a query parameter of this route
    expect(res.json().instance).toBe('/api/v1/teams'); // nor is the query echoed in the problem
    await h.call(h.admin, 'GET', `/api/v1/users/${h.admin.user.name}/tokens?token=${secret}`);
    await h.call(h.admin, 'GET', `/api/v1/nothing-here?token=${secret}`);
    const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'request completed');
    expect(lines).toContainEqual(expect.objectContaining({ method: 'GET', route: '/api/v1/teams', path: '/api/v1/teams', statusCode: 400 }));
    expect(lines).toContainEqual(expect.objectContaining({ route: '/api/v1/users/:user/tokens', path: `/api/v1/users/${h.admin.user.name}/tokens` }));
    expect(lines).toContainEqual(expect.objectContaining({ path: '/api/v1/nothing-here', statusCode: 404 }));
    expect(logLines.join('')).not.toContain(secret);
    expect(logLines.join('')).not.toContain('?token');
  });
});

describe('TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paved-tls-'));
  const certificate = selfSignedCertificate(dir);
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    const { createStore } = await import('@paved/store');
    const store = await createStore({ url: join(dir, 'paved.db') });
    await store.migrate();
    h = await startHarness(store, { tls: { cert: certificate.cert, key: certificate.key } });
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await h.close();
    await h.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over HTTPS with HSTS, to a client that trusts the certificate', async () => {
    expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await httpsGet(`${base}/healthz`, certificate.cert);
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toBe('max-age=15552000; includeSubDomains');
    expect(health.headers).toMatchObject(API_HEADERS);
    const whoami = await httpsGet(`${base}/api/v1/whoami`, certificate.cert, { authorization: `Bearer ${h.admin.token}` });
    expect(JSON.parse(whoami.body).user.name).toBe(h.admin.user.name);
  });

  it('is refused by a client that does not trust the certificate', async () => {
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    await expect(httpsGet(`${base}/healthz`, '')).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/) });
  });
});
