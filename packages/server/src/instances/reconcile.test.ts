import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Instance } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import { markFailed, markReady, startHarness, type Caller, type Harness } from '../test-harness.js';

eachStore('API reconcile', (open) => {
  let h: Harness;
  let ann: Caller; // owner of alpha
  let mia: Caller; // member of alpha
  let vic: Caller; // viewer of alpha
  let olly: Caller; // in no team
  const path = (name: string) => `/api/v1/teams/alpha/instances/${name}`;

  beforeAll(async () => {
    h = await startHarness(await open());
    [ann, mia, vic, olly] = await Promise.all(['ann', 'mia', 'vic', 'olly'].map((name) => h.user(name)));
    await h.team('platform');
    await h.team('alpha', [[ann, 'owner'], [mia, 'member'], [vic, 'viewer']]);
    await h.product('platform');
  });
  afterAll(() => h.close());

  async function failedInstance(name: string): Promise<Instance> {
    const created = await h.call(ann, 'POST', '/api/v1/teams/alpha/instances', { name, product: 'pgdb' });
    expect(created.statusCode).toBe(202);
    await markFailed(h.store, created.json() as Instance);
    return created.json() as Instance;
  }

  /** The engine's view: what a worker claiming the instance now would get, or undefined when it is not due. */
  async function claimNow(id: string) {
    const claimed = (await h.store.claimDue({ owner: 'test-engine', leaseMs: 30_000, limit: 1000 })).find((c) => c.instance.id === id);
    if (claimed) await h.store.releaseLease(id, claimed.leaseToken);
    return claimed;
  }

  const reconcileEvents = async (id: string) =>
    (await h.store.listEvents({ instanceId: id, kinds: ['instance.reconcile-requested'] })).items.map((e) => e.actor);

  it('a member retries a Failed instance at once: 202, shown Provisioning, backoff reset, recorded with who asked', async () => {
    const { id } = await failedInstance('orders-db');
    expect(await claimNow(id)).toBeUndefined(); // the engine would look again only in an hour

    const res = await h.call(mia, 'POST', `${path('orders-db')}/reconcile`);
    expect(res.statusCode).toBe(202);
    const instance = res.json() as Instance;
    expect(instance.status.phase).toBe('Provisioning');
    expect(instance.status.lastError).toBe('permission denied'); // the cause stays visible until the engine's result
    expect((await claimNow(id))?.engine.attempts).toBe(0);
    expect(await reconcileEvents(id)).toEqual(['mia']);
  });

  it('owners and platform admins may reconcile; a Ready instance stays Ready and is checked now', async () => {
    const created = (await h.call(ann, 'POST', '/api/v1/teams/alpha/instances', { name: 'ready-db', product: 'pgdb' })).json() as Instance;
    await markReady(h.store, created);
    expect(await claimNow(created.id)).toBeUndefined();

    const byOwner = await h.call(ann, 'POST', `${path('ready-db')}/reconcile`);
    expect(byOwner.statusCode).toBe(202);
    expect((byOwner.json() as Instance).status.phase).toBe('Ready');
    expect(await claimNow(created.id)).toBeDefined();
    expect((await h.call(h.admin, 'POST', `${path('ready-db')}/reconcile`)).statusCode).toBe(202);
    expect(await reconcileEvents(created.id)).toEqual(['ann', h.admin.user.name]);
  });

  it('refuses a viewer (403) and hides the team from an outsider (404, whether the name exists or not), writing nothing', async () => {
    const { id } = await failedInstance('guarded-db');
    const viewer = await h.call(vic, 'POST', `${path('guarded-db')}/reconcile`);
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json()).toMatchObject({ code: 'role_insufficient', errors: [{ path: 'team' }] });
    expect((await h.call(vic, 'POST', `${path('no-such-db')}/reconcile`)).json().code).toBe('instance_not_found');

    const existing = await h.call(olly, 'POST', `${path('guarded-db')}/reconcile`);
    const missing = await h.call(olly, 'POST', `${path('no-such-db')}/reconcile`);
    expect([existing.statusCode, missing.statusCode]).toEqual([404, 404]);
    expect(existing.json().code).toBe('instance_not_found');
    expect(missing.json().code).toBe('instance_not_found');

    expect(await claimNow(id)).toBeUndefined();
    expect((await h.call(ann, 'GET', path('guarded-db'))).json().status.phase).toBe('Failed');
    expect(await reconcileEvents(id)).toEqual([]);
  });

  it("reconciles a composite's parts with it, so a failed part is retried too", async () => {
    const parent = (await h.call(ann, 'POST', '/api/v1/teams/alpha/instances', { name: 'bundle', product: 'pgdb' })).json() as Instance;
    // A part as the engine creates one for a composite product.
    const part = await h.store.createInstance({
      teamId: parent.teamId, name: 'bundle-db', product: 'pgdb', productVersion: parent.productVersion, plan: 'small', inputs: {},
      externalName: 'pv_alpha_bundle_db', target: 'test-mem', createdBy: 'paved', parent: { id: parent.id, part: 'db' },
    });
    await markFailed(h.store, part);
    await markFailed(h.store, parent);

    const res = await h.call(mia, 'POST', `${path('bundle')}/reconcile`);
    expect(res.statusCode).toBe(202);
    expect((res.json() as Instance).parts).toEqual([expect.objectContaining({ name: 'bundle-db', phase: 'Provisioning' })]);
    expect((await claimNow(part.id))?.engine.attempts).toBe(0);
    expect(await reconcileEvents(part.id)).toEqual(['mia']);
    expect(await reconcileEvents(parent.id)).toEqual(['mia']);
  });

  it('documents the route in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/v1/teams/{team}/instances/{instance}/reconcile'].post.operationId).toBe('reconcileInstance');
  });
});
