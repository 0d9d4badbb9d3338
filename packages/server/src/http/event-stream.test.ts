import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import Fastify from 'fastify';
import { afterAll, expect, it } from 'vitest';
import { eventStreams } from './event-stream.js';

/** Listens, asks `path` and answers the whole body once the server has ended it; the app closes after the file. */
async function served(app: ReturnType<typeof Fastify>, path: string): Promise<string> {
  afterAll(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  return new Promise<string>((resolve, reject) => {
    request(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}${path}`, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject).end();
  });
}

it('sends several events at once, not on the next tick, before whatever its caller does next', async () => {
  const app = Fastify();
  const streams = eventStreams(app, 60_000);
  let corkedAfterSend: number | undefined;
  app.get('/s', async (_request, reply) => {
    const stream = await streams.start(reply, 'u', async () => () => {});
    stream.sendEach([['credentials', { a: 1 }], ['status', { b: 2 }]]);
    // Nothing is held back for the next tick: the bytes are with the socket now.
    corkedAfterSend = reply.raw.socket?.writableCorked;
    stream.end();
  });
  const body = await served(app, '/s');
  expect(body).toBe('event: credentials\ndata: {"a":1}\n\nevent: status\ndata: {"b":2}\n\n');
  expect(corkedAfterSend).toBe(0);
});

it('sends what is held this turn in one write, with the headers, then sends at once again', async () => {
  const app = Fastify();
  const streams = eventStreams(app, 60_000);
  let held: number | undefined;
  let after: number | undefined;
  app.get('/h', async (_request, reply) => {
    const stream = await streams.start(reply, 'u', async () => () => {});
    // The socket's writes counted (each is a system call, and a wake-up of the client).
    const socket = reply.raw.socket as unknown as { _writeGeneric: (...args: unknown[]) => unknown };
    let writes = 0;
    const write = socket._writeGeneric;
    socket._writeGeneric = function (this: unknown, ...args: unknown[]) {
      writes++;
      return write.apply(this, args);
    };
    stream.holdThisTurn();
    stream.sendEach([['status', { a: 1 }]]);
    await Promise.resolve(); // a later promise job of the same turn, as the reveal's sender delivers
    stream.sendEach([['status', { b: 2 }]]);
    await new Promise((resolve) => setImmediate(resolve));
    held = writes;
    stream.sendEach([['status', { c: 3 }]]);
    after = writes;
    stream.end();
  });
  const body = await served(app, '/h');
  expect(body).toBe('event: status\ndata: {"a":1}\n\nevent: status\ndata: {"b":2}\n\nevent: status\ndata: {"c":3}\n\n');
  expect(held).toBe(1);
  expect(after).toBe(2);
});
