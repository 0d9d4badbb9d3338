import { expect, it } from 'vitest';
import type { Instance, ProductManifest } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import { startHarness, testManifest, type Caller, type Harness } from '../test-harness.js';

/** 2026-03-10 12:00 UTC, moved by hand. */
const T0 = Date.UTC(2026, 2, 10, 12);
const DAY = 86_400_000;

interface World {
  h: Harness;
  clock: { set(ms: number): void };
  plat: Caller;
  dev: Caller;
  viewer: Caller;
  rival: Caller;
  publish(version: string, change?: (m: ProductManifest) => void): Promise<{ statusCode: number; json(): any }>;
}

async function world(open: (o?: { now?: () => number }) => Promise<any>): Promise<World> {
  let now = T0;
  const clock = { now: () => now, set: (ms: number) => void (now = ms) };
  const store = await open({ now: clock.now });
  const h = await startHarness(store, { now: clock.now });
  const [plat, dev, viewer, rival] = [await h.user('plat-member'), await h.user('dev'), await h.user('watcher'), await h.user('rival')];
  await h.team('plat', [[plat, 'member']], { platform: true });
  await h.team('rivals', [[rival, 'member']], { platform: true });
  await h.team('shop', [[dev, 'member'], [viewer, 'viewer']]);
  const publish = (version: string, change?: (m: ProductManifest) => void) =>
    h.call(plat, 'POST', '/api/v1/products', testManifest('plat', (m) => {
      m.spec.version = version;
      change?.(m);
    }));
  return { h, clock, plat, dev, viewer, rival, publish };
}

const withoutPassword = (m: ProductManifest) => delete m.spec.outputs.password;

eachStore('API: product versions over time', (open) => {
  it('refuses a minor version that breaks, naming each break, and takes it as a new major version', async () => {
    const { h, dev, publish } = await world(open);
    expect((await publish('1.0.0')).statusCode).toBe(201);
    const refused = await publish('1.1.0', (m) => {
      withoutPassword(m);
      m.spec.inputs = { ...m.spec.inputs, required: ['extensions'] };
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'breaking_change',
      errors: [
        { path: 'outputs.password', message: 'removed (1.0.0 → 1.1.0, line 1.x)' },
        { path: 'inputs.properties.extensions', message: 'became required (1.0.0 → 1.1.0, line 1.x)' },
      ],
    });
    expect(refused.json().detail).toContain('publish it as 2.0.0');
    expect((await h.store.listProductVersions('pgdb')).map((v) => v.version)).toEqual(['1.0.0']);
    expect((await publish('2.0.0', withoutPassword)).statusCode).toBe(201);
    expect((await publish('1.1.0', (m) => (m.spec.outputs.extra = {}))).statusCode).toBe(201);

    const diff = await h.call(dev, 'GET', '/api/v1/products/pgdb/diff?from=1.1.0&to=2.0.0');
    expect(diff.json()).toEqual({
      product: 'pgdb', from: '1.1.0', to: '2.0.0',
      breaking: [{ path: 'outputs.extra', breaking: true, message: 'removed' }, { path: 'outputs.password', breaking: true, message: 'removed' }],
      nonBreaking: [],
    });
    expect((await h.call(dev, 'GET', '/api/v1/products/pgdb/diff?from=1.0.0&to=1.1.0')).json().nonBreaking).toEqual([
      { path: 'outputs.extra', breaking: false, message: 'added' },
    ]);
    const missing = await h.call(dev, 'GET', '/api/v1/products/pgdb/diff?from=1.0.0&to=9.0.0');
    expect([missing.statusCode, missing.json().code, missing.json().errors]).toEqual([404, 'version_not_found', [{ path: 'to', message: 'no such version' }]]);
  });

  it('never makes a pre-release latest unless asked for by version', async () => {
    const { h, dev, publish } = await world(open);
    await publish('1.0.0');
    await publish('1.1.0-beta.1');
    expect((await h.call(dev, 'GET', '/api/v1/products/pgdb')).json().latestVersion).toBe('1.0.0');
    expect((await h.call(dev, 'GET', '/api/v1/products')).json().items[0].latestVersion).toBe('1.0.0');
    const plain = await h.call(dev, 'POST', '/api/v1/teams/shop/instances', { name: 'db1', product: 'pgdb' });
    expect(plain.json().productVersion).toBe('1.0.0');
    const beta = await h.call(dev, 'POST', '/api/v1/teams/shop/instances', { name: 'db2', product: 'pgdb', version: '1.1.0-beta.1' });
    expect(beta.json().productVersion).toBe('1.1.0-beta.1');
  });

  it('shows a deprecation on instances with the command that upgrades them, and refuses new ones after the date', async () => {
    const { h, clock, plat, dev, rival, publish } = await world(open);
    await publish('1.0.0', (m) => (m.spec.changelog = 'First release.'));
    const db = (await h.call(dev, 'POST', '/api/v1/teams/shop/instances', { name: 'db1', product: 'pgdb' })).json() as Instance;
    await publish('1.1.0', (m) => (m.spec.changelog = 'TLS by default.'));
    await publish('1.2.0-rc.1');

    const body = { date: '2026-03-31', reason: 'TLS 1.0 support ends' };
    expect((await h.call(dev, 'PUT', '/api/v1/products/pgdb/versions/1.0.0/deprecation', body)).statusCode).toBe(403);
    expect((await h.call(rival, 'PUT', '/api/v1/products/pgdb/versions/1.0.0/deprecation', body)).json().code).toBe('not_platform_team');
    const past = await h.call(plat, 'PUT', '/api/v1/products/pgdb/versions/1.0.0/deprecation', { ...body, date: '2026-03-09' });
    expect([past.statusCode, past.json().code, past.json().errors[0].path]).toEqual([400, 'deprecation_date_past', 'date']);
    const unknown = await h.call(plat, 'PUT', '/api/v1/products/pgdb/versions/3.0.0/deprecation', body);
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'version_not_found']);
    const set = await h.call(plat, 'PUT', '/api/v1/products/pgdb/versions/1.0.0/deprecation', body);
    expect([set.statusCode, set.json()]).toEqual([200, { product: 'pgdb', version: '1.0.0', date: '2026-03-31', reason: 'TLS 1.0 support ends', by: 'plat-member', at: new Date(T0).toISOString() }]);

    const expected = { version: '1.0.0', date: '2026-03-31', reason: 'TLS 1.0 support ends', pastDate: false, upgradeTo: '1.1.0', upgradeCommand: 'paved upgrade db1 --to 1.1.0 --team shop' };
    expect((await h.call(dev, 'GET', `/api/v1/teams/shop/instances/${db.name}`)).json().deprecation).toEqual(expected);
    expect((await h.call(dev, 'GET', '/api/v1/teams/shop/instances')).json().items[0].deprecation).toEqual(expected);
    // The catalog listing marks it: the version, with its date.
    const catalog = () => h.call(dev, 'GET', '/api/v1/products').then((r) => (r.json().items as { name: string }[]).find((p) => p.name === 'pgdb'));
    expect(await catalog()).toMatchObject({ deprecatedVersions: [{ version: '1.0.0', date: '2026-03-31' }] });
    expect(await catalog()).not.toHaveProperty('deprecation');
    // On the deadline day new instances are still taken; from the day after, refused with the way out.
    clock.set(Date.UTC(2026, 2, 31, 23, 59));
    expect((await h.call(dev, 'POST', '/api/v1/teams/shop/instances', { name: 'db2', product: 'pgdb', version: '1.0.0' })).statusCode).toBe(202);
    clock.set(Date.UTC(2026, 3, 1));
    const refused = await h.call(dev, 'POST', '/api/v1/teams/shop/instances', { name: 'db3', product: 'pgdb', version: '1.0.0' });
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'deprecation_date_passed']);
    expect(refused.json().detail).toContain('ask for 1.1.0 instead (paved create pgdb NAME --version 1.1.0)');
    expect((await h.call(dev, 'GET', `/api/v1/teams/shop/instances/${db.name}`)).json().deprecation.pastDate).toBe(true);
    expect((await h.call(dev, 'POST', '/api/v1/teams/shop/instances', { name: 'db4', product: 'pgdb' })).json().productVersion).toBe('1.1.0');
    const moveBack = await h.call(dev, 'PATCH', '/api/v1/teams/shop/instances/db4', { version: '1.0.0' });
    expect([moveBack.statusCode, moveBack.json().code]).toEqual([409, 'deprecation_date_passed']);

    // The owner sees who still has to move, per team.
    const measures = await h.call(plat, 'GET', '/api/v1/metrics/products/pgdb');
    expect(measures.json().deprecatedInstances).toEqual([{ team: 'shop', instances: 2, versions: ['1.0.0'], date: '2026-03-31' }]);

    // Withdrawn: no warning, no refusal.
    expect((await h.call(plat, 'DELETE', '/api/v1/products/pgdb/versions/1.0.0/deprecation')).statusCode).toBe(204);
    expect((await h.call(plat, 'DELETE', '/api/v1/products/pgdb/versions/1.0.0/deprecation')).json().code).toBe('deprecation_not_found');
    expect((await h.call(dev, 'GET', `/api/v1/teams/shop/instances/${db.name}`)).json()).not.toHaveProperty('deprecation');
    expect((await h.call(dev, 'POST', '/api/v1/teams/shop/instances', { name: 'db5', product: 'pgdb', version: '1.0.0' })).statusCode).toBe(202);

    // A whole product: no version to go to.
    expect((await h.call(h.admin, 'PUT', '/api/v1/products/pgdb/deprecation', { date: '2026-04-02', reason: 'Moving to managed databases' })).statusCode).toBe(200);
    const listed = await catalog();
    expect(listed).toMatchObject({ deprecation: { date: '2026-04-02', reason: 'Moving to managed databases' } });
    expect(listed).not.toHaveProperty('deprecatedVersions');
    expect((await h.call(dev, 'GET', '/api/v1/products/pgdb/deprecations')).json().items).toEqual([
      { product: 'pgdb', date: '2026-04-02', reason: 'Moving to managed databases', by: h.admin.user.name, at: new Date(Date.UTC(2026, 3, 1)).toISOString() },
    ]);
    expect((await h.call(dev, 'GET', '/api/v1/teams/shop/instances/db4')).json().deprecation).toEqual({ date: '2026-04-02', reason: 'Moving to managed databases', pastDate: false });
    clock.set(Date.UTC(2026, 3, 3));
    const gone = await h.call(dev, 'POST', '/api/v1/teams/shop/instances', { name: 'db6', product: 'pgdb' });
    expect([gone.statusCode, gone.json().code]).toEqual([409, 'deprecation_date_passed']);
    expect(gone.json().detail).toContain('pgdb takes no new instances');
    // A workload asking for it is refused before anything is written.
    const score = { apiVersion: 'score.dev/v1b1', metadata: { name: 'web' }, containers: { app: { image: '.' } }, resources: { db: { type: 'pgdb' } } };
    const applied = await h.call(dev, 'POST', '/api/v1/teams/shop/services/web/environments/dev/workload', { score });
    expect([applied.statusCode, applied.json().code]).toEqual([409, 'deprecation_date_passed']);
    expect((await h.call(dev, 'GET', '/api/v1/teams/shop/services')).json().items).toEqual([]);

    // Changelog: one entry per version, newest first.
    expect((await h.call(dev, 'GET', '/api/v1/products/pgdb/changelog')).json().items.map((e: { version: string; changelog?: string }) => [e.version, e.changelog])).toEqual([
      ['1.2.0-rc.1', undefined], ['1.1.0', 'TLS by default.'], ['1.0.0', 'First release.'],
    ]);
  });

  it('keeps a roadmap its owner maintains, and requests anyone in a team makes and votes on once', async () => {
    const { h, plat, dev, viewer, rival, publish } = await world(open);
    await publish('1.0.0');
    const added = await h.call(plat, 'POST', '/api/v1/products/pgdb/roadmap', { title: 'Point-in-time recovery', targetVersion: '1.3.0' });
    expect([added.statusCode, added.json()]).toEqual([201, expect.objectContaining({ title: 'Point-in-time recovery', status: 'planned', targetVersion: '1.3.0' })]);
    const id = added.json().id as number;
    expect((await h.call(dev, 'POST', '/api/v1/products/pgdb/roadmap', { title: 'Mine' })).statusCode).toBe(403);
    expect((await h.call(rival, 'PATCH', `/api/v1/products/pgdb/roadmap/${id}`, { status: 'shipped' })).statusCode).toBe(403);
    const moved = await h.call(plat, 'PATCH', `/api/v1/products/pgdb/roadmap/${id}`, { status: 'in-progress', targetVersion: null });
    expect(moved.json()).toMatchObject({ id, status: 'in-progress' });
    expect(moved.json()).not.toHaveProperty('targetVersion');
    const badVersion = await h.call(plat, 'POST', '/api/v1/products/pgdb/roadmap', { title: 'x', targetVersion: 'v2' });
    expect([badVersion.statusCode, badVersion.json().errors[0].path]).toEqual([400, 'body.targetVersion']);
    await h.call(plat, 'POST', '/api/v1/products/pgdb/roadmap', { title: 'Read replicas', status: 'shipped' });
    expect((await h.call(viewer, 'GET', '/api/v1/products/pgdb/roadmap')).json().items.map((i: { title: string; status: string }) => [i.title, i.status])).toEqual([
      ['Point-in-time recovery', 'in-progress'], ['Read replicas', 'shipped'],
    ]);
    expect((await h.call(plat, 'DELETE', `/api/v1/products/pgdb/roadmap/${id}`)).statusCode).toBe(204);
    expect((await h.call(plat, 'DELETE', `/api/v1/products/pgdb/roadmap/${id}`)).json().code).toBe('roadmap_item_not_found');

    const asked = await h.call(dev, 'POST', '/api/v1/products/pgdb/requests', { text: 'PostgreSQL 17' });
    expect([asked.statusCode, asked.json()]).toEqual([201, expect.objectContaining({ text: 'PostgreSQL 17', author: 'dev', votes: 0 })]);
    const other = (await h.call(rival, 'POST', '/api/v1/products/pgdb/requests', { text: 'pgvector' })).json();
    const viewerAsks = await h.call(viewer, 'POST', '/api/v1/products/pgdb/requests', { text: 'x' });
    expect([viewerAsks.statusCode, viewerAsks.json().code]).toEqual([403, 'role_insufficient']);
    expect((await h.call(dev, 'POST', `/api/v1/products/pgdb/requests/${other.id}/votes`)).json().votes).toBe(1);
    const twice = await h.call(dev, 'POST', `/api/v1/products/pgdb/requests/${other.id}/votes`);
    expect([twice.statusCode, twice.json().code]).toEqual([409, 'already_voted']);
    expect((await h.call(plat, 'POST', `/api/v1/products/pgdb/requests/${other.id}/votes`)).json().votes).toBe(2);
    expect((await h.call(viewer, 'POST', `/api/v1/products/pgdb/requests/${other.id}/votes`)).statusCode).toBe(403);
    expect((await h.call(dev, 'POST', '/api/v1/products/pgdb/requests/999999/votes')).json().code).toBe('product_request_not_found');
    expect((await h.call(viewer, 'GET', '/api/v1/products/pgdb/requests')).json().items.map((r: { text: string; votes: number }) => [r.text, r.votes])).toEqual([
      ['pgvector', 2], ['PostgreSQL 17', 0],
    ]);
    expect((await h.call(dev, 'GET', '/api/v1/products/nope/requests')).json().code).toBe('product_not_found');
  });
});
