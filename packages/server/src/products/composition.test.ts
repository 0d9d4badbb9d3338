import { createMemoryDriver } from '@paved/driver-memory';
import { createEngine, systemClock } from '@paved/engine';
import type { ProductManifest } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_TARGETS, startHarness, testManifest, type Caller, type Harness } from '../test-harness.js';

/** A composite of the harness's memory product `pgdb` (db) and `tok` (key), with mapped outputs. */
function composite(change?: (manifest: ProductManifest) => void): ProductManifest {
  return testManifest('platform', (m) => {
    m.metadata.name = 'bundle';
    m.spec.driver = 'composite';
    m.spec.inputs = { type: 'object', properties: {}, additionalProperties: false };
    m.spec.plans = { standard: { default: true } };
    m.spec.includes = [
      { name: 'db', product: 'pgdb', plan: 'small' },
      { name: 'key', product: 'tok', dependsOn: ['db'] },
    ];
    m.spec.outputs = { host: { from: 'db.name' }, password: { from: 'db.token', secret: true }, apiKey: { from: 'key.token' } };
    delete m.spec.checks;
    delete m.spec.slo;
    change?.(m);
  });
}

eachStore('composition: publish checks and parts through the API', (open) => {
  let h: Harness;
  let pat: Caller;
  const publish = (manifest: unknown) => h.call(h.admin, 'POST', '/api/v1/products', manifest);
  const problem = async (manifest: ProductManifest) => {
    const res = await publish(manifest);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().code).toBe('composition_invalid');
    return res.json() as { detail: string; errors: { path: string; message: string }[] };
  };

  beforeAll(async () => {
    h = await startHarness(await open());
    pat = await h.user('pat');
    await h.team('platform');
    await h.team('shop', [[pat, 'member']]);
    // The memory driver's outputs: name, and the secret token.
    const memoryOutputs = { name: {}, token: { secret: true } };
    await h.product('platform', (m) => { m.spec.outputs = memoryOutputs; });
    await h.product('platform', (m) => { m.metadata.name = 'tok'; m.spec.outputs = memoryOutputs; });
  });
  afterAll(() => h.close());

  it('publishes a valid composite product', async () => {
    const res = await publish(composite());
    expect(res.statusCode, res.body).toBe(201);
  });

  it('refuses an unknown included product, naming the manifest path', async () => {
    const body = await problem(composite((m) => { m.metadata.name = 'b2'; m.spec.includes![1]!.product = 'nosuch'; }));
    expect(body.errors).toContainEqual({ path: 'spec.includes[1].product', message: expect.stringContaining('no product "nosuch"') });
  });

  it('refuses a dependsOn cycle, naming the cycle', async () => {
    const body = await problem(composite((m) => { m.metadata.name = 'b3'; m.spec.includes![0]!.dependsOn = ['key']; }));
    expect(body.errors).toContainEqual({ path: 'spec.includes', message: 'dependsOn has a cycle: db → key → db' });
  });

  it('refuses a from that names no part or no output, a bad plan, bad inputs, and an unknown dependsOn', async () => {
    const body = await problem(composite((m) => {
      m.metadata.name = 'b4';
      m.spec.outputs.host = { from: 'cache.host' };
      m.spec.outputs.apiKey = { from: 'key.nothing' };
      m.spec.includes![0]!.plan = 'huge';
      m.spec.includes![0]!.inputs = { extensions: ['nope'] };
      m.spec.includes![1]!.dependsOn = ['ghost'];
    }));
    const paths = body.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining([
      'spec.outputs.host.from', 'spec.outputs.apiKey.from', 'spec.includes[0].plan', 'spec.includes[1].dependsOn[0]',
    ]));
    expect(paths.some((p) => p.startsWith('spec.includes[0].inputs'))).toBe(true);
    expect(body.errors.find((e) => e.path === 'spec.outputs.apiKey.from')!.message).toContain('has no output "nothing"');
  });

  it('refuses a non-secret output taken from a secret part output', async () => {
    const body = await problem(composite((m) => { m.metadata.name = 'b5'; m.spec.outputs.password = { from: 'db.token', secret: false }; }));
    expect(body.errors[0]!.path).toBe('spec.outputs.password.secret');
  });

  it('refuses a product that includes itself, directly or through another composite', async () => {
    const direct = await problem(composite((m) => { m.metadata.name = 'b6'; m.spec.includes![1]!.product = 'b6'; }));
    expect(direct.errors[0]).toEqual({ path: 'spec.includes[1].product', message: 'a product cannot include itself' });
    // outer includes bundle; a new bundle version that includes outer closes the loop.
    const outer = composite((m) => { m.metadata.name = 'outer'; m.spec.includes = [{ name: 'inner', product: 'bundle' }]; m.spec.outputs = { host: { from: 'inner.host' } }; });
    expect((await publish(outer)).statusCode).toBe(201);
    const loop = await problem(composite((m) => { m.spec.version = '9.0.0'; m.spec.includes!.push({ name: 'o', product: 'outer' }); }));
    expect(loop.errors[0]).toMatchObject({ path: 'spec.includes[2].product', message: expect.stringContaining('outer → bundle') });
  });

  it('creates a composite, shows its parts, and refuses to change or delete a part on its own', async () => {
    // The engine's clock runs a minute behind the store's: every retry or poll it schedules
    // (the composite's, while it waits on its parts) is due at once, so the passes run back
    // to back without waiting for time to pass.
    const behind = { now: () => Date.now() - 60_000, sleep: systemClock.sleep };
    const engine = createEngine({ store: h.store, secrets: h.secrets, drivers: { memory: createMemoryDriver() }, targets: TEST_TARGETS, clock: behind });
    const created = await h.call(pat, 'POST', '/api/v1/teams/shop/instances', { name: 'orders', product: 'bundle' });
    expect(created.statusCode, created.body).toBe(202);
    expect(created.json().target).toBe('composite');
    for (let i = 0; i < 20 && (await engine.runOnce()) > 0; i++);

    const got = (await h.call(pat, 'GET', '/api/v1/teams/shop/instances/orders')).json();
    expect(got.status.phase).toBe('Ready');
    expect(got.parts).toEqual([
      expect.objectContaining({ part: 'db', name: 'orders-db', product: 'pgdb', plan: 'small', phase: 'Ready' }),
      expect.objectContaining({ part: 'key', name: 'orders-key', product: 'tok', phase: 'Ready' }),
    ]);
    const part = (await h.call(pat, 'GET', '/api/v1/teams/shop/instances/orders-db')).json();
    expect(part.parent).toMatchObject({ name: 'orders', part: 'db' });

    const refused = await h.call(pat, 'DELETE', '/api/v1/teams/shop/instances/orders-db');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('part_of_composite');
    expect(refused.json().detail).toContain('act on orders instead');
    const patch = await h.call(pat, 'PATCH', '/api/v1/teams/shop/instances/orders-key', { plan: 'large' });
    expect(patch.json().code).toBe('part_of_composite');

    expect(got.outputs).toEqual({ host: expect.stringMatching(/^pv_shop_orders_db_/) });
    const credentials = (await h.call(pat, 'POST', '/api/v1/teams/shop/instances/orders/credentials:reveal')).json();
    expect(Object.keys(credentials.values).sort()).toEqual(['apiKey', 'host', 'password']);
    expect(credentials.values.password).toMatch(/^[0-9a-f]{32}$/);
    await engine.stop();
  });
});
