import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { originOf, requestInterfaceOf } from './request-context.js';

describe('request origin', () => {
  it('is the request the route passes on: its id, its address and agent, the interface it names', async () => {
    const app = Fastify();
    app.get('/origin', async (request) => {
      const origin = originOf(request);
      return { same: origin.requestId === request.id, source: origin.source, via: requestInterfaceOf(request), principal: origin.principal() ?? null };
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const answers = await Promise.all(['cli/1', 'Portal/2.0', 'curl/8', undefined].map(async (client) => {
        const response = await fetch(`${url}/origin`, { headers: { 'user-agent': 'agent/1', ...(client ? { 'paved-client': client } : {}) } });
        return response.json();
      }));
      const source = (via: string) => ({ same: true, source: { address: '127.0.0.1', userAgent: 'agent/1', interface: via }, via, principal: null });
      expect(answers).toEqual([source('cli'), source('portal'), source('api'), source('api')]);
    } finally {
      await app.close();
    }
  });
});
