import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Target } from '@paved/driver-api';
import { createWebhookDriver, signatureHeader } from '@paved/driver-webhook';
import { createMemoryDriver } from '@paved/driver-memory';
import type { Instance } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import { TEST_TARGETS, markReady, startHarness, type Harness } from '../test-harness.js';

const SECRET = randomBytes(32).toString('hex');
const HOOKS: Target = { name: 'hooks', driver: 'webhook', labels: {}, config: { url: 'http://127.0.0.1:9/never-called', secret: SECRET } };

eachStore('API webhook callbacks', (open) => {
  let h: Harness;
  let hooked: Instance;
  let neighbour: Instance;
  let plain: Instance;

  beforeAll(async () => {
    h = await startHarness(await open(), { targets: [...TEST_TARGETS, HOOKS], drivers: { memory: createMemoryDriver(), webhook: createWebhookDriver() } });
    await h.team('platform');
    await h.team('alpha');
    await h.product('platform');
    const team = (await h.store.getTeam({ name: 'alpha' }))!;
    const base = { teamId: team.id, product: 'pgdb', productVersion: '1.2.0', plan: 'small', inputs: {}, createdBy: h.admin.user.name };
    hooked = await h.store.createInstance({ ...base, name: 'hooked', externalName: 'pv_alpha_hooked', target: 'hooks' });
    plain = await h.store.createInstance({ ...base, name: 'plain', externalName: 'pv_alpha_plain', target: 'test-mem' });
    // Not due: only a callback should make them due again. (markReady leases every due instance, so one at a time.)
    await markReady(h.store, hooked);
    neighbour = await h.store.createInstance({ ...base, name: 'neighbour', externalName: 'pv_alpha_neighbour', target: 'hooks' });
    await markReady(h.store, neighbour);
  });
  afterAll(() => h.close());

  const post = (instanceId: string, body: Record<string, unknown>, sign: (raw: string) => string | undefined = (raw) => signatureHeader(SECRET, raw)) => {
    const raw = JSON.stringify(body);
    const signature = sign(raw);
    return h.app.inject({
      method: 'POST',
      url: `/api/v1/callbacks/webhook/${instanceId}`,
      headers: { 'content-type': 'application/json', ...(signature ? { 'paved-signature': signature } : {}) },
      payload: raw,
    });
  };
  const callbackEvents = async (id: string) => (await h.store.listEvents({ instanceId: id, kinds: ['instance.callback-received'] })).items;
  const isDue = async (id: string) => {
    const claimed = await h.store.claimDue({ owner: 'callback-test', leaseMs: 1_000, limit: 100 });
    for (const c of claimed) await h.store.releaseLease(c.instance.id, c.leaseToken);
    return claimed.some((c) => c.instance.id === id);
  };

  it('refuses a bad signature with 401 signature_invalid and records nothing', async () => {
    const body = { instanceId: hooked.id, deliveryId: 'd-1', verb: 'create', status: 'succeeded' };
    const wrongSecret = await post(hooked.id, body, (raw) => signatureHeader(randomBytes(32).toString('hex'), raw));
    const tampered = await post(hooked.id, body, () => signatureHeader(SECRET, JSON.stringify({ ...body, status: 'failed' })));
    const stale = await post(hooked.id, body, (raw) => signatureHeader(SECRET, raw, Date.now() - 6 * 60_000));
    const missing = await post(hooked.id, body, () => undefined);
    for (const res of [wrongSecret, tampered, stale, missing]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'signature_invalid', status: 401 });
    }
    expect(stale.json().detail).toMatch(/older than 5 minutes/);
    expect(wrongSecret.body).not.toContain(SECRET);
    expect(await callbackEvents(hooked.id)).toEqual([]);
    expect(await isDue(hooked.id)).toBe(false);
  });

  it('refuses callbacks for an instance that no webhook target provisions, and 404s an unknown instance', async () => {
    const res = await post(plain.id, { instanceId: plain.id, deliveryId: 'd-2', verb: 'create', status: 'succeeded' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('signature_invalid');
    const unknown = await post('00000000-0000-4000-8000-000000000000', { instanceId: '00000000-0000-4000-8000-000000000000', deliveryId: 'd-2', verb: 'create', status: 'succeeded' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('instance_not_found');
  });

  it('refuses a genuine callback for one instance replayed to another instance of the same target, and changes nothing', async () => {
    const raw = JSON.stringify({ instanceId: hooked.id, deliveryId: 'd-replay', verb: 'delete', status: 'succeeded' });
    const signature = signatureHeader(SECRET, raw);
    const replayed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/callbacks/webhook/${neighbour.id}`,
      headers: { 'content-type': 'application/json', 'paved-signature': signature },
      payload: raw,
    });
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json()).toMatchObject({ code: 'signature_invalid', detail: expect.stringContaining('"instanceId"') });
    expect(await callbackEvents(neighbour.id)).toEqual([]);
    expect(await isDue(neighbour.id)).toBe(false);
    // A body that names no instance is refused the same way, signed or not.
    const anonymous = await post(neighbour.id, { deliveryId: 'd-anon', verb: 'create', status: 'succeeded' });
    expect(anonymous.statusCode).toBe(401);
    expect(await callbackEvents(neighbour.id)).toEqual([]);
  });

  it('accepts a signed callback without a bearer token: records one event (no outputs) and makes the instance due now', async () => {
    const body = { instanceId: hooked.id, deliveryId: 'd-3', verb: 'create', status: 'succeeded', outputs: { password: 'must-not-be-kept' } };
    const res = await post(hooked.id, body);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: true });
    expect(await isDue(hooked.id)).toBe(true);
    // The same delivery again (the automation retried): still one event.
    expect((await post(hooked.id, body)).statusCode).toBe(202);
    const events = await callbackEvents(hooked.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'webhook:hooks', data: { deliveryId: 'd-3', verb: 'create', status: 'succeeded' } });
    expect(JSON.stringify(events[0])).not.toContain('must-not-be-kept');
  });

  it('keeps a failed callback\'s error, one line, for the status history', async () => {
    const res = await post(hooked.id, { instanceId: hooked.id, deliveryId: 'd-4', verb: 'delete', status: 'failed', error: 'bucket not empty\n  (3 objects)' });
    expect(res.statusCode).toBe(202);
    const events = await callbackEvents(hooked.id);
    expect(events.find((e) => e.data.deliveryId === 'd-4')?.data).toEqual({ deliveryId: 'd-4', verb: 'delete', status: 'failed', error: 'bucket not empty (3 objects)' });
  });

  it('validates the body only after the signature, and then names the field', async () => {
    const unsigned = await post(hooked.id, { instanceId: hooked.id, deliveryId: 'd-5', verb: 'explode', status: 'succeeded' }, () => undefined);
    expect(unsigned.statusCode).toBe(401);
    const signed = await post(hooked.id, { instanceId: hooked.id, deliveryId: 'd-5', verb: 'explode', status: 'succeeded' });
    expect(signed.statusCode).toBe(400);
    expect(signed.json().errors.map((e: { path: string }) => e.path)).toContain('body.verb');
  });
});
