/**
 * The client under Node sends with node:http(s) instead of fetch (node-request.ts): what fetch
 * did must still hold, against real servers — TLS trust and its explained failure, the headers
 * the audit log records, streamed bodies, aborts, and a caller's own fetch when given one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuotaError, UnavailableError } from '@paved/model';
import { createClient } from './index.js';

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};
const close = async (server: Server) => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
};

describe('the client over node:http', () => {
  let server: Server;
  let url = '';
  let lastHeaders: IncomingHttpHeaders = {};
  let lastBody = '';
  /** Connections the audit export route is holding open, to see a stopped reader close its own. */
  const exportClosed: Promise<void>[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      lastHeaders = req.headers;
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        lastBody = body;
        if (req.url === '/api/v1/teams' && req.method === 'GET') {
          // Answers never: the caller's abort is what ends the request.
        } else if (req.url === '/api/v1/teams') {
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ name: JSON.parse(body).name, echoed: 'é' }));
        } else if (req.url === '/api/v1/whoami') {
          res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '7' })
            .end(JSON.stringify({ type: 'about:blank', title: 'Too many requests', status: 429, code: 'rate_limited' }));
        } else if (req.url?.startsWith('/api/v1/audit/export')) {
          exportClosed.push(new Promise((resolve) => res.on('close', () => resolve())));
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          res.write('{"n":1}\n{"n"');
          setTimeout(() => res.write(':2}\n{"n":3}\n'), 10);
          // …and never ends: only a reader that stops closes this connection.
        } else {
          res.writeHead(404).end();
        }
      });
    });
    url = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => close(server));

  it('sends the JSON body with its length and the headers fetch sent, and reads the UTF-8 answer', async () => {
    const team = await createClient({ url, token: 'tok', client: 'cli/0.1.0' }).createTeam({ name: 'payments' } as never);
    expect(team).toEqual({ name: 'payments', echoed: 'é' });
    expect(JSON.parse(lastBody)).toEqual({ name: 'payments' });
    expect(lastHeaders).toMatchObject({
      authorization: 'Bearer tok', 'paved-client': 'cli/0.1.0', 'user-agent': 'node',
      'content-type': 'application/json', 'content-length': String(Buffer.byteLength(lastBody)), accept: 'application/json',
    });
  });

  it('maps a problem with retry-after in its header to a QuotaError saying when to retry', async () => {
    const error = await createClient({ url }).whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaError);
    expect(error).toMatchObject({ code: 'rate_limited', message: 'Too many requests; retry in 7 s' });
  });

  it('streams the audit export line by line and closes the connection when the reader stops', async () => {
    const lines: string[] = [];
    for await (const line of createClient({ url }).exportAudit()) {
      lines.push(line);
      if (lines.length === 3) break;
    }
    expect(lines).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    await exportClosed.at(-1);
  });

  it('rejects with the abort when the caller aborts a request the server has not answered', async () => {
    const controller = new AbortController();
    const listing = createClient({ url }).listTeams({ signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 20);
    expect(await listing).toMatchObject({ name: 'AbortError' });
  });

  it('sends with the fetch it is given (the portal passes its own)', async () => {
    const seen: string[] = [];
    const client = createClient({ url, fetch: (input, init) => { seen.push(String(input)); return fetch(input, init); } });
    await client.createTeam({ name: 'with-fetch' } as never);
    expect(seen).toEqual([`${url}/api/v1/teams`]);
    expect(lastHeaders['user-agent']).toBe('node');
  });
});

describe('the client over node:https', () => {
  // A self-signed certificate for 127.0.0.1 (Debian's openssl), which no client trusts.
  const dir = mkdtempSync(join(tmpdir(), 'paved-client-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
  const certificate = { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    url = `https://127.0.0.1:${await listen(server)}`;
  });
  afterAll(async () => {
    await close(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('explains a certificate it cannot trust, naming NODE_EXTRA_CA_CERTS', async () => {
    const error = await createClient({ url }).health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ code: 'server_untrusted' });
    expect((error as Error).message).toBe(`cannot trust the TLS certificate of ${url} (DEPTH_ZERO_SELF_SIGNED_CERT); if your organisation signs it, point NODE_EXTRA_CA_CERTS at that CA's PEM file`);
  });
});

describe('the client over node:http, a watch that ends on deleted', () => {
  /** Each request's connection, in order: the same object again is a connection kept and reused. */
  const connections: object[] = [];
  let endsAfterDeleted = true;
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      connections.push(req.socket);
      if (req.url?.endsWith('/watch')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: status\ndata: {"name":"db","status":{"phase":"Deleting"}}\n\n');
        setTimeout(() => {
          res.write('event: deleted\ndata: {"team":"alpha","instance":"db"}\n\n');
          if (endsAfterDeleted) res.end();
          // …else it stays open: the client closes it itself, after a short wait.
        }, 5);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}');
      }
    });
    url = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => close(server));

  /** A watch that ends on deleted, then another request from the same client: the two requests' sockets. */
  async function watchThenList(): Promise<object[]> {
    connections.length = 0;
    const client = createClient({ url });
    const deleted: string[] = [];
    await client.watchInstance('alpha', 'db', { onStatus() {}, onDeleted: () => deleted.push('db') });
    await client.listEvents('alpha');
    expect(deleted).toEqual(['db']);
    expect(connections).toHaveLength(2);
    return connections;
  }

  it('leaves its connection to the next request once the server has ended the stream', async () => {
    const [watched, listed] = await watchThenList();
    expect(listed).toBe(watched);
  });

  it('closes a stream that does not end after deleted, and the next request opens a connection of its own', async () => {
    endsAfterDeleted = false;
    const [watched, listed] = await watchThenList();
    expect(listed).not.toBe(watched);
  });
});
