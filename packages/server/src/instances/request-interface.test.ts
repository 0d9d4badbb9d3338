import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { startHarness, type Caller, type Harness } from '../test-harness.js';
import { openStream } from './event-stream-client.test-support.js';

// The interface a request names (`paved-client`), passed by its route (http/request-context.ts),
// is what the policies judge and the provenance keeps: a create, a create answered with its
// stream, an update.
eachStore('the interface of an instance request', (open) => {
  let h: Harness;
  let ann: Caller;
  let base: string;
  const alpha = '/api/v1/teams/alpha/instances';
  const as = (client: string | undefined, method: 'POST' | 'PATCH', url: string, payload: object) => h.app.inject({
    method, url, payload, headers: { authorization: `Bearer ${ann.token}`, ...(client ? { 'paved-client': client } : {}) },
  });
  const interfaces = async (name: string) => ((await h.call(ann, 'GET', `${alpha}/${name}/history`)).json().entries as { interface?: string }[])
    .flatMap((e) => (e.interface === undefined ? [] : [e.interface]));

  beforeAll(async () => {
    h = await startHarness(await open());
    ann = await h.user('ann');
    await h.team('platform');
    await h.team('alpha', [[ann, 'member']]);
    await h.product('platform');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => h.close());

  it('is kept for a create and an update, each the one its request named', async () => {
    expect((await as('cli/0.1.0', 'POST', alpha, { name: 'by-cli', product: 'pgdb' })).statusCode).toBe(202);
    expect((await as(undefined, 'POST', alpha, { name: 'by-api', product: 'pgdb' })).statusCode).toBe(202);
    expect((await as('portal/1.0.0', 'PATCH', `${alpha}/by-cli`, { plan: 'large' })).statusCode).toBe(202);
    expect(await interfaces('by-cli')).toEqual(['cli', 'portal']);
    expect(await interfaces('by-api')).toEqual(['api']);
  });

  it('is kept for a create answered with its stream', async () => {
    const stream = openStream(base, `${alpha}?wait=ready`, ann.token, { name: 'streamed', product: 'pgdb' }, { 'paved-client': 'cli/0.1.0' });
    await stream.until(() => stream.events.length >= 1, 'the created status');
    stream.close();
    expect(await interfaces('streamed')).toEqual(['cli']);
  });
});
