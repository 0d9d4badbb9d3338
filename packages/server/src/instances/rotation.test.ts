import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Instance } from '@paved/model';
import { createMemoryDriver } from '@paved/driver-memory';
import { eachStore } from '@paved/store/testing';
import { TEST_TARGETS, markReady, startHarness, testManifest, type Caller, type Harness } from '../test-harness.js';

eachStore('API rotate and contract checks', (open) => {
  let h: Harness;
  let ann: Caller; // owner of alpha
  let vic: Caller; // viewer of alpha
  const path = (name: string) => `/api/v1/teams/alpha/instances/${name}`;

  beforeAll(async () => {
    // 'fixed' is a driver without rotation, for the up-front refusal.
    const fixed = { ...createMemoryDriver({ type: 'fixed' }), rotate: undefined, revoke: undefined };
    h = await startHarness(await open(), {
      drivers: { memory: createMemoryDriver(), fixed },
      targets: [...TEST_TARGETS, { name: 'test-fixed', driver: 'fixed', labels: { tier: 'shared' }, config: {} }],
    });
    ann = await h.user('ann');
    vic = await h.user('vic');
    await h.team('platform');
    await h.team('alpha', [[ann, 'owner'], [vic, 'viewer']]);
    await h.product('platform', (m) => void (m.spec.checks = ['connect', 'isolation']));
    await h.product('platform', (m) => {
      m.metadata.name = 'fixeddb';
      m.spec.driver = 'fixed';
    });
  });
  afterAll(() => h.close());

  async function readyInstance(name: string, product = 'pgdb'): Promise<Instance> {
    const created = await h.call(ann, 'POST', '/api/v1/teams/alpha/instances', { name, product });
    expect(created.statusCode).toBe(202);
    await markReady(h.store, created.json() as Instance);
    return created.json() as Instance;
  }

  it('refuses to publish a product whose checks its driver does not offer, naming each one', async () => {
    const res = await h.call(h.admin, 'POST', '/api/v1/products', testManifest('platform', (m) => {
      m.metadata.name = 'typo';
      m.spec.checks = ['connect', 'isolaton'];
    }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'check_unknown', errors: [{ path: 'spec.checks[1]' }] });
    expect(res.json().detail).toContain('offers: connect, write-read, isolation');
  });

  it('rotate answers 202 with the rotation asked for, once; a viewer gets 403 and an outsider 404', async () => {
    await readyInstance('db');
    expect((await h.call(vic, 'POST', `${path('db')}/rotate`)).statusCode).toBe(403);
    const outsider = await h.user('olly');
    expect((await h.call(outsider, 'POST', `${path('db')}/rotate`)).statusCode).toBe(404);

    const res = await h.call(ann, 'POST', `${path('db')}/rotate`);
    expect(res.statusCode).toBe(202);
    expect((res.json() as Instance).credentials).toEqual({ rotation: 0, rotating: true });
    expect((await h.call(ann, 'POST', `${path('db')}/rotate`)).statusCode).toBe(202);
    const events = (await h.call(ann, 'GET', '/api/v1/teams/alpha/events')).json().items as { kind: string; actor?: string }[];
    expect(events.filter((e) => e.kind === 'credentials.rotation-requested').map((e) => e.actor)).toEqual(['ann']);
  });

  it('refuses to rotate an instance that is not Ready, and one whose driver cannot rotate', async () => {
    await h.call(ann, 'POST', '/api/v1/teams/alpha/instances', { name: 'pending', product: 'pgdb' });
    const pending = await h.call(ann, 'POST', `${path('pending')}/rotate`);
    expect(pending.statusCode).toBe(409);
    expect(pending.json().code).toBe('instance_not_ready');

    await readyInstance('fixed-db', 'fixeddb');
    const unsupported = await h.call(ann, 'POST', `${path('fixed-db')}/rotate`);
    expect(unsupported.statusCode).toBe(409);
    expect(unsupported.json()).toMatchObject({ code: 'rotation_unsupported', errors: [{ path: 'instance' }] });
  });

  it('documents the route in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/v1/teams/{team}/instances/{instance}/rotate'].post.operationId).toBe('rotateInstance');
  });
});
