import { afterAll, beforeAll, expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { startHarness, testManifest, type Caller, type Harness } from '../test-harness.js';

eachStore('API products', (open) => {
  let h: Harness;
  let pat: Caller; // member of the owner team
  let val: Caller; // viewer of the owner team
  let bob: Caller; // in another team
  const published = async () => (await h.store.listEvents({ kinds: ['product.published'], limit: 100 })).items.length;

  beforeAll(async () => {
    h = await startHarness(await open());
    pat = await h.user('pat');
    val = await h.user('val');
    bob = await h.user('bob');
    await h.team('platform', [[pat, 'member'], [val, 'viewer']]);
    await h.team('beta', [[bob, 'owner']]);
  });
  afterAll(() => h.close());

  it('publishes a version once: 201 created, then 200 unchanged for the same manifest', async () => {
    const first = await h.call(pat, 'POST', '/api/v1/products', testManifest('platform'));
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ result: 'created', product: { name: 'pgdb', version: '1.2.0' } });
    expect(first.json().product.digest).toMatch(/^[0-9a-f]{64}$/);
    const again = await h.call(h.admin, 'POST', '/api/v1/products', testManifest('platform'));
    expect(again.statusCode).toBe(200);
    expect(again.json().result).toBe('unchanged');
    expect(await published()).toBe(1);
  });

  it('never changes a published version: 409 version_immutable', async () => {
    const changed = testManifest('platform', (m) => { m.spec.description = 'Something else'; });
    const res = await h.call(pat, 'POST', '/api/v1/products', changed);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('version_immutable');
    expect(res.json().detail).toContain('bump spec.version');
    const stored = await h.call(pat, 'GET', '/api/v1/products/pgdb/versions/1.2.0');
    expect(stored.json().manifest.spec.description).toBe(testManifest('platform').spec.description);

    const bumped = testManifest('platform', (m) => { m.spec.description = 'Something else'; m.spec.version = '1.10.0'; });
    expect((await h.call(pat, 'POST', '/api/v1/products', bumped)).statusCode).toBe(201);
    const detail = (await h.call(bob, 'GET', '/api/v1/products/pgdb')).json();
    expect(detail).toMatchObject({ latestVersion: '1.10.0', description: 'Something else', owner: 'platform', plans: ['small', 'large'] });
    expect([...detail.versions].sort()).toEqual(['1.10.0', '1.2.0']);
    const list = (await h.call(bob, 'GET', '/api/v1/products')).json();
    expect(list.items.map((p: { name: string }) => p.name)).toEqual(['pgdb']);
  });

  it('lets only admins and members of the owner team publish', async () => {
    const before = await published();
    const other = testManifest('platform', (m) => { m.metadata.name = 'other'; });
    for (const caller of [bob, val]) {
      const res = await h.call(caller, 'POST', '/api/v1/products', other);
      expect(res.statusCode).toBe(403);
      expect(res.json().errors[0].path).toBe('metadata.owner');
    }
    expect((await h.call(bob, 'GET', '/api/v1/products/other')).statusCode).toBe(404);
    expect(await published()).toBe(before);
  });

  it('names the field of a manifest it refuses', async () => {
    const cases: [unknown, string, string][] = [
      [testManifest('nobody', (m) => { m.metadata.name = 'x1'; }), 'owner_team_unknown', 'metadata.owner'],
      [testManifest('platform', (m) => { m.metadata.name = 'x2'; m.spec.driver = 'oracle'; }), 'driver_unknown', 'spec.driver'],
      [testManifest('platform', (m) => { m.metadata.name = 'x3'; m.spec.version = 'one'; }), 'manifest_invalid', 'spec.version'],
    ];
    for (const [manifest, code, path] of cases) {
      const res = await h.call(h.admin, 'POST', '/api/v1/products', manifest);
      expect(res.statusCode, code).toBe(400);
      expect(res.json().code).toBe(code);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const unknownDriver = await h.call(h.admin, 'POST', '/api/v1/products', cases[1]![0]);
    expect(unknownDriver.json().detail).toContain('memory'); // lists the known drivers
    expect((await h.call(h.admin, 'GET', '/api/v1/products/pgdb/versions/7.0.0')).json().code).toBe('version_not_found');
  });
});
