import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import Fastify from 'fastify';
import { afterAll, expect, it } from 'vitest';
import { eventStreams } from './event-stream.js';

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
  afterAll(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const body = await new Promise<string>((resolve, reject) => {
    request(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/s`, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject).end();
  });
  expect(body).toBe('event: credentials\ndata: {"a":1}\n\nevent: status\ndata: {"b":2}\n\n');
  expect(corkedAfterSend).toBe(0);
});
