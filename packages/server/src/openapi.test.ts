import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { startHarness, type Harness } from './test-harness.js';

/**
 * The OpenAPI document, generated from the route schemas, is the reference for the API's routes;
 * docs/api.md's table of routes is the guide for people. Both are checked here: the document
 * describes every route with its responses and problems, and the table lists exactly its routes.
 */

const API_GUIDE = new URL('../../../docs/api.md', import.meta.url);
/** The route that serves the document itself: documented for people, hidden from the document. */
const DOCUMENT_ROUTE = 'GET /api/openapi.json';
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** "GET /api/v1/teams" for every method of every row of the guide's table of routes. */
function guideRoutes(markdown: string): string[] {
  const table = markdown.slice(markdown.indexOf('| method | path | what |'));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
  return rows.flatMap((row) => {
    const match = /^\| ([A-Z, ]+) \| `([^`]+)` \|/.exec(row);
    if (!match) throw new Error(`docs/api.md: a route row must be "| METHODS | \`/path\` | what |": ${row}`);
    return match[1]!.split(', ').map((method) => `${method} ${match[2]}`);
  });
}

eachStore('OpenAPI document', (open) => {
  let h: Harness;
  let doc: { openapi: string; info: { version: string }; security: unknown; components: { securitySchemes: Record<string, unknown> }; paths: Record<string, Record<string, any>> };
  beforeAll(async () => {
    h = await startHarness(await open());
    const res = await h.app.inject({ url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(() => h.close());

  const operations = () => Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).filter(([method]) => METHODS.includes(method)).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, path, operation })));

  it('is OpenAPI 3.1 with a bearer scheme; every route has its responses and problems, and an operationId', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('0.0.0-test');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(operations().length).toBeGreaterThan(30);
    for (const { route, path, operation } of operations()) {
      // A success answer, or a redirect for the routes that send a browser elsewhere (sign-in).
      expect(Object.keys(operation.responses).some((s) => s.startsWith('2') || s.startsWith('3')), route).toBe(true);
      if (path !== '/healthz') expect(operation.responses['4XX'] ?? operation.responses['4xx'], `${route} problems`).toBeDefined();
      expect(operation.operationId, `${route} operationId`).toMatch(/^[a-z][A-Za-z]+$/);
    }
    // public routes opt out of the bearer requirement; API routes keep it
    expect(doc.paths['/healthz']!.get.security).toEqual([]);
    expect(doc.paths['/api/v1/callbacks/{driver}/{instanceId}']!.post.security).toEqual([]);
    expect(doc.paths['/api/v1/whoami']!.get.security).toBeUndefined();
    expect(doc.security).toEqual([{ bearer: [] }]);
    // request bodies carry the schema the server validates with
    const body = doc.paths['/api/v1/teams/{team}/instances']!.post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['name', 'product']));
    expect(body.properties.name.maxLength).toBe(40);
    const params = doc.paths['/api/v1/teams/{team}/instances/{instance}']!.get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
    expect(params).toEqual(expect.arrayContaining(['path:team', 'path:instance']));
  });

  it("docs/api.md's table lists exactly the routes of the document", () => {
    const documented = guideRoutes(readFileSync(API_GUIDE, 'utf8'));
    const served = [...operations().map((o) => o.route), DOCUMENT_ROUTE];
    expect(served.filter((r) => !documented.includes(r)), 'routes missing from docs/api.md').toEqual([]);
    expect(documented.filter((r) => !served.includes(r)), 'routes in docs/api.md that the server does not serve').toEqual([]);
    expect(new Set(documented).size, 'a route listed twice in docs/api.md').toBe(documented.length);
  });
});
