import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { findRoute, routeMatches, startRouter, type RouteEntry } from './router.js';

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const get = (port: number, host: string, path: string) => new Promise<{ status: number; body: string; forwarded?: string }>((resolve, reject) => {
  request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
  }).on('error', reject).end();
});

describe('router: which route a request takes', () => {
  it('matches a path as a prefix ending at "/", or as an expression, as score-compose\'s router does', () => {
    expect(routeMatches('/', '/anything/at/all')).toBe(true);
    expect(routeMatches('/api', '/api')).toBe(true);
    expect(routeMatches('/api', '/api/orders')).toBe(true);
    expect(routeMatches('/api', '/apis')).toBe(false);
    expect(routeMatches('/my/[^/]+/path', '/my/fizz/path/index.html')).toBe(true);
    expect(routeMatches('/my/[^/]+/path', '/my/fizz/other')).toBe(false);
  });

  it('takes the host\'s route with the longest path', () => {
    const routes: RouteEntry[] = [
      { name: 'root', host: 'a.localhost', path: '/', target: 'http://127.0.0.1:1' },
      { name: 'api', host: 'a.localhost', path: '/api', target: 'http://127.0.0.1:2' },
      { name: 'other', host: 'b.localhost', path: '/api', target: 'http://127.0.0.1:3' },
    ];
    expect(findRoute(routes, 'a.localhost', '/api/x')?.name).toBe('api');
    expect(findRoute(routes, 'a.localhost', '/web')?.name).toBe('root');
    expect(findRoute(routes, 'c.localhost', '/')).toBeUndefined();
  });
});

describe('router: a real reverse proxy', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });
  const upstream = async (who: string) => {
    const server = createServer((req, res) => res.end(`${who} ${req.url} for ${req.headers['x-forwarded-host']}`));
    const port = await listen(server);
    closing.push(() => new Promise((resolve) => server.close(() => resolve())));
    return port;
  };
  const freePort = async () => {
    const probe = createServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  };

  it('sends each request to its route\'s target, says when there is none or the target is down, and finds routes added later', async () => {
    const web = await upstream('web');
    const routes: RouteEntry[] = [{ name: 'web-route', host: 'web.localhost', path: '/', target: `http://127.0.0.1:${web}` }];
    const port = await freePort();
    const errors: string[] = [];
    let clock = 0;
    const router = (await startRouter({ port, routes: async () => [...routes], onError: (m) => errors.push(m), now: () => clock }))!;
    closing.push(() => router.close());

    expect(await get(port, 'web.localhost:1234', '/a?b=1')).toEqual({ status: 200, body: 'web /a?b=1 for web.localhost:1234' });
    expect(await get(port, 'nobody.localhost', '/')).toMatchObject({ status: 404, body: expect.stringContaining('no route for nobody.localhost/ (routes: web.localhost/)') });

    // A route recorded after the router started is found on the next miss.
    const api = await upstream('api');
    routes.push({ name: 'api-route', host: 'api.localhost', path: '/v1', target: `http://127.0.0.1:${api}` });
    expect(await get(port, 'api.localhost', '/v1/orders')).toMatchObject({ status: 404 }); // read again at most once a second
    clock += 1000;
    expect(await get(port, 'api.localhost', '/v1/orders')).toMatchObject({ status: 200, body: 'api /v1/orders for api.localhost' });

    routes.push({ name: 'down-route', host: 'down.localhost', path: '/', target: `http://127.0.0.1:${await freePort()}` });
    clock += 1000;
    expect(await get(port, 'down.localhost', '/')).toMatchObject({ status: 502, body: expect.stringContaining('is down-route\'s workload running?') });
    expect(errors).toEqual([expect.stringContaining('route down-route: http://127.0.0.1:')]);
  });

  it('starts nothing when the port is taken (another paved run serves the routes)', async () => {
    const taken = createServer();
    const port = await listen(taken);
    closing.push(() => new Promise((resolve) => taken.close(() => resolve())));
    expect(await startRouter({ port, routes: async () => [] })).toBeUndefined();
  });
});

