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
    await h.team('platform', [[pat, 'member'], [val, 'viewer']], { platform: true });
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

  it('lets only members of the owner platform team publish (and platform admins)', async () => {
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

  it('never lets a developer team publish, not even naming itself as owner (nor an admin for it)', async () => {
    const before = await published();
    const own = testManifest('beta', (m) => { m.metadata.name = 'baked'; m.spec.bakedIn = true; });
    for (const caller of [bob, h.admin]) {
      const res = await h.call(caller, 'POST', '/api/v1/products', own);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'not_platform_team', errors: [{ path: 'metadata.owner' }] });
    }
    expect((await h.call(bob, 'GET', '/api/v1/products/baked')).statusCode).toBe(404);
    expect(await published()).toBe(before);
  });

  it("refuses a takeover: another platform team cannot publish a new version of a product it does not own", async () => {
    // The attack of the trust issue: a member of another team published secret@99.0.0 naming
    // itself as owner, with the secret output made plain. Now: refused, nothing stored.
    await h.team('rivals', [[bob, 'member']], { platform: true });
    const takeover = testManifest('rivals', (m) => {
      m.spec.version = '99.0.0';
      for (const output of Object.values(m.spec.outputs)) delete output.secret;
    });
    const res = await h.call(bob, 'POST', '/api/v1/products', takeover);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'product_owner_mismatch', errors: [{ path: 'metadata.owner' }] });
    expect(res.json().detail).toContain('paved products transfer');
    const detail = (await h.call(bob, 'GET', '/api/v1/products/pgdb')).json();
    expect(detail.owner).toBe('platform');
    expect(detail.versions).not.toContain('99.0.0');
    expect(detail.latestVersion).not.toBe('99.0.0');
    // Even a platform admin publishes only for the recorded owner; moving it is a separate act.
    expect((await h.call(h.admin, 'POST', '/api/v1/products', takeover)).json().code).toBe('product_owner_mismatch');
  });

  it('moves a product only by an admin, only to a platform team; then its new owner publishes', async () => {
    expect((await h.call(pat, 'PUT', '/api/v1/products/pgdb/owner', { owner: 'rivals' })).json().code).toBe('admin_required');
    expect((await h.call(h.admin, 'PUT', '/api/v1/products/pgdb/owner', { owner: 'beta' })).json().code).toBe('owner_not_platform');
    expect((await h.call(h.admin, 'PUT', '/api/v1/products/nothing/owner', { owner: 'rivals' })).json().code).toBe('product_not_found');
    const moved = await h.call(h.admin, 'PUT', '/api/v1/products/pgdb/owner', { owner: 'rivals' });
    expect(moved.statusCode).toBe(200);
    expect(moved.json().owner).toBe('rivals');
    expect((await h.store.listEvents({ kinds: ['product.transferred'], limit: 5 })).items[0]).toMatchObject({ actor: h.admin.user.name, data: { product: 'pgdb', from: 'platform', to: 'rivals' } });
    const next = testManifest('rivals', (m) => { m.spec.version = '2.0.0'; });
    expect((await h.call(bob, 'POST', '/api/v1/products', next)).statusCode).toBe(201);
    expect((await h.call(pat, 'POST', '/api/v1/products', testManifest('platform', (m) => { m.spec.version = '2.1.0'; }))).statusCode).toBe(403);
  });

  it("shows a product's instances across teams to its owner platform team only: health, no outputs", async () => {
    const team = (await h.store.getTeam({ name: 'beta' }))!;
    await h.store.createInstance({
      teamId: team.id, name: 'orders-db', product: 'pgdb', productVersion: '2.0.0', plan: 'small', inputs: { extensions: ['citext'] },
      externalName: 'pv_beta_orders_db', target: 'test-mem', createdBy: 'bob',
    });
    const seen = await h.call(bob, 'GET', '/api/v1/products/pgdb/instances');
    expect(seen.statusCode).toBe(200);
    expect(seen.json().items).toEqual([expect.objectContaining({ team: 'beta', name: 'orders-db', version: '2.0.0', phase: 'Pending' })]);
    expect(seen.body).not.toContain('citext');
    for (const caller of [pat, val]) expect((await h.call(caller, 'GET', '/api/v1/products/pgdb/instances')).json().code).toBe('not_platform_team');
    expect((await h.call(h.admin, 'GET', '/api/v1/products/pgdb/instances')).statusCode).toBe(200);
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
