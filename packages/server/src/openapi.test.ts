import { afterAll, beforeAll, expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { startHarness, type Harness } from './test-harness.js';

/** Every route of the API (model/src/api.ts), as the OpenAPI document must describe it. */
const ROUTES: [string, string][] = [
  ['get', '/healthz'],
  ['get', '/readyz'],
  ['get', '/api/v1/whoami'],
  ['post', '/api/v1/users'],
  ['post', '/api/v1/users/{user}/tokens'],
  ['get', '/api/v1/teams'],
  ['post', '/api/v1/teams'],
  ['get', '/api/v1/teams/{team}'],
  ['get', '/api/v1/teams/{team}/members'],
  ['put', '/api/v1/teams/{team}/members/{user}'],
  ['get', '/api/v1/products'],
  ['post', '/api/v1/products'],
  ['get', '/api/v1/products/{product}'],
  ['get', '/api/v1/products/{product}/versions/{version}'],
  ['get', '/api/v1/teams/{team}/instances'],
  ['post', '/api/v1/teams/{team}/instances'],
  ['get', '/api/v1/teams/{team}/instances/{instance}'],
  ['patch', '/api/v1/teams/{team}/instances/{instance}'],
  ['delete', '/api/v1/teams/{team}/instances/{instance}'],
  ['post', '/api/v1/teams/{team}/instances/{instance}/credentials:reveal'],
  ['get', '/api/v1/teams/{team}/instances/{instance}/watch'],
  ['get', '/api/v1/teams/{team}/events'],
];

eachStore('OpenAPI document', (open) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(await open()); });
  afterAll(() => h.close());

  it('is OpenAPI 3.1 with a bearer scheme and every route, each with its responses and problems', async () => {
    const res = await h.app.inject({ url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('0.0.0-test');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [method, path] of ROUTES) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method.toUpperCase()} ${path}`).toBeDefined();
      expect(Object.keys(operation.responses).some((s) => s.startsWith('2'))).toBe(true);
      if (path !== '/healthz') expect(operation.responses['4XX'] ?? operation.responses['4xx'], `${method} ${path} problems`).toBeDefined();
    }
    // public routes opt out of the bearer requirement; API routes keep it
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/whoami'].get.security).toBeUndefined();
    expect(doc.security).toEqual([{ bearer: [] }]);
    // request bodies carry the schema the server validates with
    const body = doc.paths['/api/v1/teams/{team}/instances'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['name', 'product']));
    expect(body.properties.name.maxLength).toBe(40);
    const params = doc.paths['/api/v1/teams/{team}/instances/{instance}'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
    expect(params).toEqual(expect.arrayContaining(['path:team', 'path:instance']));
  });
});
