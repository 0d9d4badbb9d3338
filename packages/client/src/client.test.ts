import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError, DriverError, InputError, InternalError, NotAllowedError, NotFoundError, QuotaError,
  UnauthenticatedError, UnavailableError, type Instance,
} from '@paved/model';
import { createClient } from './index.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A tiny real HTTP server whose routes each test sets. */
let server: Server;
let url: string;
const routes = new Map<string, Handler>();
const seen: { method: string; url: string; auth?: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const handler = routes.get(`${req.method} ${req.url!.split('?')[0]}`);
      if (!handler) return problem(res, 404, { code: 'route_not_found', detail: `no route ${req.url}` });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
function problem(res: ServerResponse, status: number, extra: Record<string, unknown>) {
  res.writeHead(status, { 'content-type': 'application/problem+json' })
    .end(JSON.stringify({ type: 'about:blank', title: 'x', status, ...extra }));
}

const instance = (phase: Instance['status']['phase']) => ({ name: 'orders-db', status: { phase, conditions: [] } }) as unknown as Instance;

describe('createClient', () => {
  it('sends the bearer token and typed requests, and returns the JSON body', async () => {
    routes.set('PUT /api/v1/teams/payments/members/ann', (_req, res, body) => json(res, 200, { role: JSON.parse(body).role, userName: 'ann' }));
    const client = createClient({ url: url + '/', token: 'tok-123' });
    const membership = await client.setMembership('payments', 'ann', 'viewer');
    expect(membership).toMatchObject({ role: 'viewer', userName: 'ann' });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ method: 'PUT', url: '/api/v1/teams/payments/members/ann', auth: 'Bearer tok-123' });
  });

  it('posts to credentials:reveal', async () => {
    routes.set('POST /api/v1/teams/t/instances/db/credentials:reveal', (_q, res) => json(res, 200, { instance: 'db', team: 't', values: { password: 's' } }));
    const creds = await createClient({ url }).revealCredentials('t', 'db');
    expect(creds.values.password).toBe('s');
  });

  it('posts to rotate and reconcile, and returns the instance', async () => {
    routes.set('POST /api/v1/teams/t/instances/db/reconcile', (_q, res) => json(res, 202, instance('Provisioning')));
    routes.set('POST /api/v1/teams/t/instances/db/rotate', (_q, res) => json(res, 202, instance('Ready')));
    const client = createClient({ url });
    expect((await client.reconcileInstance('t', 'db')).status.phase).toBe('Provisioning');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/api/v1/teams/t/instances/db/reconcile' });
    expect((await client.rotateInstance('t', 'db')).status.phase).toBe('Ready');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/api/v1/teams/t/instances/db/rotate' });
  });

  it.each([
    [400, InputError], [401, UnauthenticatedError], [403, NotAllowedError], [404, NotFoundError], [409, ConflictError],
    [429, QuotaError], [502, DriverError], [503, UnavailableError], [500, InternalError], [418, InternalError],
  ] as const)('maps a %i problem to %o with code, detail and issues', async (status, type) => {
    routes.set('GET /api/v1/teams/x', (_q, res) => problem(res, status, {
      code: 'some_code', detail: 'what went wrong', errors: [{ path: 'spec.plans', message: 'is required' }],
    }));
    const error = await createClient({ url }).getTeam('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code: 'some_code', message: 'what went wrong', issues: [{ path: 'spec.plans', message: 'is required' }] });
  });

  it('maps a non-JSON error response by status', async () => {
    routes.set('GET /api/v1/whoami', (_q, res) => res.writeHead(503, { 'content-type': 'text/html' }).end('<h1>down</h1>'));
    await expect(createClient({ url }).whoami()).rejects.toThrow(UnavailableError);
  });

  it('reports an unreachable server as UnavailableError naming the URL', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const error = await createClient({ url: `http://127.0.0.1:${port}` }).whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe(`cannot reach Paved at http://127.0.0.1:${port} — is it running? (paved up)`);
  });

  it('iterates over every page of instances', async () => {
    routes.set('GET /api/v1/teams/t/instances', (req, res) => {
      const cursor = new URL(req.url!, url).searchParams.get('cursor');
      if (!cursor) json(res, 200, { items: [{ name: 'a' }, { name: 'b' }], nextCursor: 'c2' });
      else if (cursor === 'c2') json(res, 200, { items: [{ name: 'c' }], nextCursor: 'c3' });
      else json(res, 200, { items: [] });
    });
    const names: string[] = [];
    for await (const i of createClient({ url }).iterateInstances('t')) names.push(i.name);
    expect(names).toEqual(['a', 'b', 'c']);
  });

  it('keeps the product and phase filters on every page', async () => {
    const queries: string[] = [];
    routes.set('GET /api/v1/teams/t/instances', (req, res) => {
      const params = new URL(req.url!, url).searchParams;
      queries.push(`${params.get('product')}/${params.get('phase')}/${params.get('cursor')}`);
      json(res, 200, params.get('cursor') ? { items: [{ name: 'b' }] } : { items: [{ name: 'a' }], nextCursor: 'c2' });
    });
    const names: string[] = [];
    for await (const i of createClient({ url }).iterateInstances('t', { product: 'redis', phase: 'Failed' })) names.push(i.name);
    expect(names).toEqual(['a', 'b']);
    expect(queries).toEqual(['redis/Failed/null', 'redis/Failed/c2']);
  });
});

describe('watchInstance', () => {
  const watchPath = 'GET /api/v1/teams/t/instances/orders-db/watch';

  it('delivers status events split at awkward boundaries and resolves on deleted', async () => {
    routes.set(watchPath, (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const text = `event: status\r\ndata: ${JSON.stringify(instance('Provisioning'))}\r\n\r\n: ping\n\n`
        + `event: status\ndata: ${JSON.stringify(instance('Ready'))}\n\nevent: deleted\ndata: {}\n\n`;
      const chunks = [text.slice(0, 7), text.slice(7, 14), text.slice(14, 60), text.slice(60, text.indexOf('\r\n\r\n') + 1),
        text.slice(text.indexOf('\r\n\r\n') + 1, 200), text.slice(200)];
      let i = 0;
      const timer = setInterval(() => {
        const chunk = chunks[i++];
        if (chunk === undefined) { clearInterval(timer); return; }
        res.write(chunk);
      }, 5);
    });
    const phases: string[] = [];
    let deleted = false;
    await createClient({ url }).watchInstance('t', 'orders-db', {
      onStatus: (i) => phases.push(i.status.phase),
      onDeleted: () => (deleted = true),
    });
    expect(phases).toEqual(['Provisioning', 'Ready']);
    expect(deleted).toBe(true);
  });

  it('reconnects once after a dropped stream', async () => {
    let connections = 0;
    routes.set(watchPath, (_q, res) => {
      connections++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (connections === 1) {
        res.end(`event: status\ndata: ${JSON.stringify(instance('Provisioning'))}\n\n`);
      } else {
        res.end(`event: status\ndata: ${JSON.stringify(instance('Ready'))}\n\nevent: deleted\ndata: {}\n\n`);
      }
    });
    const phases: string[] = [];
    await createClient({ url }).watchInstance('t', 'orders-db', { onStatus: (i) => phases.push(i.status.phase) });
    expect(connections).toBe(2);
    expect(phases).toEqual(['Provisioning', 'Ready']);
  });

  it('gives up with UnavailableError when the stream drops twice without progress', async () => {
    let connections = 0;
    routes.set(watchPath, (_q, res) => {
      connections++;
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end(': nothing\n\n');
    });
    await expect(createClient({ url }).watchInstance('t', 'orders-db', { onStatus: () => {} })).rejects.toThrow(UnavailableError);
    expect(connections).toBe(2);
  });

  it('resolves when aborted and passes errors of the first request through', async () => {
    routes.set(watchPath, (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: status\ndata: ${JSON.stringify(instance('Pending'))}\n\n`);
    });
    const controller = new AbortController();
    const phases: string[] = [];
    await createClient({ url }).watchInstance('t', 'orders-db', {
      signal: controller.signal,
      onStatus: (i) => { phases.push(i.status.phase); controller.abort(); },
    });
    expect(phases).toEqual(['Pending']);

    routes.set(watchPath, (_q, res) => problem(res, 404, { code: 'instance_not_found', detail: 'no instance orders-db in team t' }));
    await expect(createClient({ url }).watchInstance('t', 'orders-db', { onStatus: () => {} })).rejects.toThrow(NotFoundError);
  });
  it('waitForCredentials takes the credentials from the stream, asking the reveal route only when they did not come', async () => {
    const credentials = { instance: 'orders-db', team: 't', values: { password: 'pw' } };
    const revealPath = 'POST /api/v1/teams/t/instances/orders-db/credentials:reveal';
    let reveals = 0;
    routes.set(revealPath, (_q, res) => { reveals++; json(res, 200, { ...credentials, values: { password: 'from-route' } }); });
    let query = '';
    routes.set(watchPath, (req, res) => {
      query = new URL(req.url!, url).search;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: status\ndata: ${JSON.stringify(instance('Provisioning'))}\n\n`);
      res.write(`event: credentials\ndata: ${JSON.stringify(credentials)}\n\nevent: status\ndata: ${JSON.stringify(instance('Ready'))}\n\n`);
    });
    const ready = await createClient({ url }).waitForCredentials('t', 'orders-db');
    expect(query).toBe('?reveal=true');
    expect(ready.instance.status.phase).toBe('Ready');
    expect(ready.credentials).toEqual(credentials);
    expect(reveals).toBe(0);

    // A reveal the stream could not make: the route is asked (and says why, if it refuses).
    routes.set(watchPath, (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: status\ndata: ${JSON.stringify(instance('Ready'))}\n\n`);
    });
    expect((await createClient({ url }).waitForCredentials('t', 'orders-db')).credentials.values).toEqual({ password: 'from-route' });
    expect(reveals).toBe(1);

    routes.set(watchPath, (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: status\ndata: ${JSON.stringify({ ...instance('Failed'), status: { phase: 'Failed', conditions: [{ type: 'Ready', reason: 'ProvisioningFailed', message: 'no disk' }] } })}\n\n`);
    });
    await expect(createClient({ url }).waitForCredentials('t', 'orders-db')).rejects.toThrow(DriverError);
  });
});

describe('createAndWaitForCredentials', () => {
  const createPath = 'POST /api/v1/teams/t/instances';
  const watchPath = 'GET /api/v1/teams/t/instances/orders-db/watch';
  const credentials = { instance: 'orders-db', team: 't', values: { password: 'pw' } };
  const request = { name: 'orders-db', product: 'pgdb' };
  const requestsTo = (since: number) => seen.slice(since).map((r) => `${r.method} ${r.url}`);

  it('creates and has the credentials in one request when the create answers with its status stream', async () => {
    routes.delete(watchPath);
    let accept: string | undefined;
    routes.set(createPath, (req, res, body) => {
      accept = req.headers.accept;
      expect(JSON.parse(body)).toEqual(request);
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      res.write(`event: status\ndata: ${JSON.stringify(instance('Pending'))}\n\n`);
      res.write(`event: status\ndata: ${JSON.stringify(instance('Provisioning'))}\n\n`);
      res.write(`event: credentials\ndata: ${JSON.stringify(credentials)}\n\nevent: status\ndata: ${JSON.stringify(instance('Ready'))}\n\n`);
    });
    const since = seen.length;
    const created: string[] = [];
    const ready = await createClient({ url }).createAndWaitForCredentials('t', request, { onCreated: (i) => created.push(i.status.phase) });
    expect(ready.instance.status.phase).toBe('Ready');
    expect(ready.credentials).toEqual(credentials);
    expect(created).toEqual(['Pending']);
    expect(accept).toMatch(/text\/event-stream/);
    expect(requestsTo(since)).toEqual(['POST /api/v1/teams/t/instances?wait=ready&reveal=true']);
  });

  it('follows on the watch stream when the server answers the create with JSON (an older one), with no failed request', async () => {
    routes.set(createPath, (_req, res) => json(res, 202, instance('Pending')));
    routes.set(watchPath, (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: status\ndata: ${JSON.stringify(instance('Provisioning'))}\n\n`);
      res.write(`event: credentials\ndata: ${JSON.stringify(credentials)}\n\nevent: status\ndata: ${JSON.stringify(instance('Ready'))}\n\n`);
    });
    const since = seen.length;
    const created: string[] = [];
    const ready = await createClient({ url }).createAndWaitForCredentials('t', request, { onCreated: (i) => created.push(i.status.phase) });
    expect(ready.credentials).toEqual(credentials);
    expect(created).toEqual(['Pending']);
    expect(requestsTo(since)).toEqual(['POST /api/v1/teams/t/instances?wait=ready&reveal=true', 'GET /api/v1/teams/t/instances/orders-db/watch?reveal=true']);

    // Asked for two requests (a benchmark's baseline): the plain create, then the watch.
    const before = seen.length;
    await createClient({ url }).createAndWaitForCredentials('t', request, { way: 'two-requests' });
    expect(requestsTo(before)).toEqual(['POST /api/v1/teams/t/instances', 'GET /api/v1/teams/t/instances/orders-db/watch?reveal=true']);
  });

  it('follows on the watch stream when the create\'s stream drops before Ready; a refused create is its error', async () => {
    routes.set(createPath, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`event: status\ndata: ${JSON.stringify(instance('Pending'))}\n\n`);
    });
    routes.set(watchPath, (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: credentials\ndata: ${JSON.stringify(credentials)}\n\nevent: status\ndata: ${JSON.stringify(instance('Ready'))}\n\n`);
    });
    expect((await createClient({ url }).createAndWaitForCredentials('t', request)).credentials).toEqual(credentials);

    routes.set(createPath, (_req, res) => problem(res, 409, { code: 'instance_exists', detail: 'taken' }));
    await expect(createClient({ url }).createAndWaitForCredentials('t', request)).rejects.toThrow(ConflictError);
  });
});
