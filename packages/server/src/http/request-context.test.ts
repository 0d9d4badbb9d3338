import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { currentOrigin, registerRequestContext } from './request-context.js';

describe('request context', () => {
  it('is the request being served in its handler, after a body that arrived over time on a real socket', async () => {
    const app = Fastify();
    registerRequestContext(app);
    app.post('/echo', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const origin = currentOrigin();
      return { same: origin?.requestId === request.id, interface: origin?.source.interface, body: request.body };
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const sendSlowly = (text: string) => {
        const encoder = new TextEncoder();
        return new ReadableStream<Uint8Array>({
          async start(controller) {
            for (const part of [text.slice(0, 5), text.slice(5)]) {
              controller.enqueue(encoder.encode(part));
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
            controller.close();
          },
        });
      };
      const answers = await Promise.all(['cli/1', 'portal/1', undefined].map(async (client, i) => {
        const response = await fetch(`${url}/echo`, {
          method: 'POST', body: sendSlowly(JSON.stringify({ i })), duplex: 'half',
          headers: { 'content-type': 'application/json', ...(client ? { 'paved-client': client } : {}) },
        } as RequestInit);
        return response.json();
      }));
      expect(answers).toEqual([
        { same: true, interface: 'cli', body: { i: 0 } },
        { same: true, interface: 'portal', body: { i: 1 } },
        { same: true, interface: 'api', body: { i: 2 } },
      ]);
      expect(currentOrigin()).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
