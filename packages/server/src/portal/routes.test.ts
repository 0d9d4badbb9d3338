import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '@paved/store';
import { startHarness, type Harness } from '../test-harness.js';
import { PORTAL_PAGES } from './routes.js';

/** The portal's files are served beside the API: its pages with their own policy, the API unchanged. */
describe('the portal beside the API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paved-portal-'));
  let h: Harness;

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Paved</title><script type="module" src="/assets/index-abc123.js"></script>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("portal")');
    writeFileSync(join(dir, 'assets', 'index-abc123.js.gz'), gzipSync('console.log("portal")'));
    const store = await createStore({ url: ':memory:' });
    await store.migrate();
    h = await startHarness(store, { portalDir: dir });
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every page path with index.html, never cached, under a policy that allows only its own origin', async () => {
    for (const path of ['/', '/products', '/products/postgres/request', '/requests/shop/orders-db', '/team/shop', '/dashboards', '/admin']) {
      const page = await h.app.inject({ method: 'GET', url: path });
      expect(page.statusCode, path).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.body).toContain('<title>Paved</title>');
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-eval');
      expect(page.headers['x-frame-options']).toBe('DENY');
    }
  });

  it("answers every page of the portal's own router, so a link to one or a reload of it finds the portal", async () => {
    // The router's table (packages/portal/src/app/App.tsx) is the list the server must keep up with.
    const app = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../portal/src/app/App.tsx'), 'utf8');
    const paths = [...app.matchAll(/<Route path="([^"]+)"/g)].map((m) => m[1].replace(/:[a-z]+/g, 'x'));
    expect(paths).toContain('/rollouts');
    for (const path of paths) {
      const page = await h.app.inject({ method: 'GET', url: path });
      expect(page.statusCode, path).toBe(200);
      expect(page.body).toContain('<title>Paved</title>');
    }
  });

  it('serves the built assets, cached for good (their names change with their content)', async () => {
    const script = await h.app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.headers['cache-control']).toMatch(/immutable/);
    // Compressed once at build time, sent to a browser that takes it.
    const zipped = await h.app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.rawPayload).toString()).toBe('console.log("portal")');
    const missing = await h.app.inject({ method: 'GET', url: '/assets/nope.js' });
    expect(missing.statusCode).toBe(404);
  });

  it('leaves the API as it was: its policy, its problems, and no page in the OpenAPI document', async () => {
    const unknown = await h.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/problem\+json/);
    const health = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    const openapi = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
    for (const page of PORTAL_PAGES) expect(Object.keys(openapi.paths)).not.toContain(page.replace('/*', ''));
    expect(Object.keys(openapi.paths).some((p) => p.startsWith('/assets'))).toBe(false);
  });
});
