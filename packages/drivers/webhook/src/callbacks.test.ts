import { describe, expect, it } from 'vitest';
import { webhookCallbacks } from './callbacks.js';
import { signatureHeader } from './signature.js';
import { newSecret, webhookTarget } from './test-support.js';

const secret = newSecret();
const target = webhookTarget('https://automation.example.com/paved', secret);
const A = '0f6c1b52-5c1e-4b7e-9f0a-1a2b3c4d5e6f';
const B = '7d2e9a10-3b4c-4d5e-8f6a-7b8c9d0e1f2a';

function callback(body: Record<string, unknown>, key = secret) {
  const rawBody = JSON.stringify(body);
  return { rawBody, headers: { 'paved-signature': signatureHeader(key, rawBody) } };
}

describe('webhook callbacks', () => {
  it('accept a signed body that names the instance of the URL', () => {
    const signed = callback({ instanceId: A, deliveryId: 'd1', verb: 'create', status: 'succeeded' });
    expect(webhookCallbacks.verify({ target, instanceId: A, ...signed })).toEqual({ ok: true });
  });

  it('refuse a genuine callback for instance A replayed to instance B\'s URL', () => {
    const signed = callback({ instanceId: A, deliveryId: 'd1', verb: 'delete', status: 'succeeded' });
    const verdict = webhookCallbacks.verify({ target, instanceId: B, ...signed });
    expect(verdict).toEqual({ ok: false, reason: expect.stringContaining('not the instance of the callback URL') });
  });

  it('refuse a signed body that names no instance, as the protocol before instanceId did', () => {
    for (const body of [{ deliveryId: 'd1', verb: 'create', status: 'succeeded' }, { instanceId: 42, deliveryId: 'd1' }]) {
      const verdict = webhookCallbacks.verify({ target, instanceId: A, ...callback(body) });
      expect(verdict).toEqual({ ok: false, reason: expect.stringContaining('add "instanceId"') });
    }
    const notAnObject = { rawBody: '[1]', headers: { 'paved-signature': signatureHeader(secret, '[1]') } };
    expect(webhookCallbacks.verify({ target, instanceId: A, ...notAnObject }).ok).toBe(false);
  });

  it('check the signature before the body: another secret is refused whatever the body names', () => {
    const forged = callback({ instanceId: A, deliveryId: 'd1', verb: 'create', status: 'succeeded' }, newSecret());
    expect(webhookCallbacks.verify({ target, instanceId: A, ...forged })).toEqual({ ok: false, reason: expect.stringContaining('not signed with the secret') });
  });
});
