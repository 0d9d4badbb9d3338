import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpCallError, nodeHttpCall } from './http-call.js';

// A local HTTP server stands in for the management API: these tests are about the transport
// (what goes out, what comes back, how it fails), not about the broker.
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server = createServer(handler);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

describe('nodeHttpCall', () => {
  it('sends the method, headers and body, reads the answer whole, and keeps the connection for the next call', async () => {
    const seen: string[] = [];
    const { url, connections } = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${req.headers.authorization} ${req.headers['content-type'] ?? '-'} ${req.headers['content-length'] ?? '-'} ${body}`);
        if (req.method === 'PUT') res.writeHead(204).end();
        else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'é' }));
      });
    });
    const put = await nodeHttpCall({ method: 'PUT', url: `${url}/api/vhosts/a%2Fb`, headers: { authorization: 'Basic x', 'content-type': 'application/json' }, body: '{"d":"é"}', timeoutMs: 5_000 });
    expect(put).toEqual({ status: 204, statusText: 'No Content', text: '' });
    const get = await nodeHttpCall({ method: 'GET', url: `${url}/api/whoami`, headers: { authorization: 'Basic y' }, timeoutMs: 5_000 });
    expect(get.status).toBe(200);
    expect(JSON.parse(get.text)).toEqual({ name: 'é' });
    // The length in bytes, not characters.
    expect(seen).toEqual(['PUT /api/vhosts/a%2Fb Basic x application/json 10 {"d":"é"}', 'GET /api/whoami Basic y - - ']);
    // One connection for both calls: the agent kept it alive.
    expect(connections()).toBe(1);
  });

  it('fails with a TimeoutError when no answer comes in time', async () => {
    // Never answers.
    const { url } = await serve(() => {});
    const error = await nodeHttpCall({ method: 'GET', url: `${url}/api/overview`, headers: {}, timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpCallError);
    expect((error as HttpCallError).name).toBe('TimeoutError');
  });

  it('fails with the network reason in cause.code when nothing listens', async () => {
    const error = await nodeHttpCall({ method: 'GET', url: 'http://127.0.0.1:2/api/overview', headers: {}, timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpCallError);
    expect((error as HttpCallError).name).toBe('NetworkError');
    expect(((error as HttpCallError).cause as { code?: string }).code).toBe('ECONNREFUSED');
  });
});
