import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Instance } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import { markReady, startHarness, type Caller, type Harness } from '../test-harness.js';

eachStore('API instances', (open) => {
  let h: Harness;
  let ann: Caller; // owner of alpha
  let vic: Caller; // viewer of alpha
  let bob: Caller; // member of beta
  const alpha = '/api/v1/teams/alpha/instances';

  beforeAll(async () => {
    h = await startHarness(await open());
    ann = await h.user('ann');
    vic = await h.user('vic');
    bob = await h.user('bob');
    await h.team('platform');
    await h.team('alpha', [[ann, 'owner'], [vic, 'viewer']]);
    await h.team('beta', [[bob, 'member']]);
    await h.product('platform');
  });
  afterAll(() => h.close());

  const create = async (caller: Caller, name: string, extra: Record<string, unknown> = {}, team = 'alpha') =>
    h.call(caller, 'POST', `/api/v1/teams/${team}/instances`, { name, product: 'pgdb', ...extra });

  /** Rows and events the store holds, to prove a refused request wrote nothing. */
  const footprint = async () => ({
    instances: await h.store.countInstances({}),
    events: (await h.store.listEvents({ limit: 1000 })).items.length,
  });

  it('creates an instance for a team member: 202, Pending, pinned to the latest version, default plan and inputs', async () => {
    const res = await create(ann, 'orders-db');
    expect(res.statusCode).toBe(202);
    const instance = res.json() as Instance;
    expect(instance).toMatchObject({
      name: 'orders-db', teamName: 'alpha', product: 'pgdb', productVersion: '1.2.0', plan: 'small', target: 'test-mem',
      inputs: { extensions: [] }, createdBy: 'ann', generation: 1, deletionRequested: false,
    });
    expect(instance.status.phase).toBe('Pending');
    expect(instance.externalName).toMatch(/^pv_alpha_orders_db_[0-9a-f]{8}$/);
    const events = (await h.call(ann, 'GET', '/api/v1/teams/alpha/events')).json().items as { kind: string; actor?: string }[];
    expect(events.some((e) => e.kind === 'instance.requested' && e.actor === 'ann')).toBe(true);

    const again = await create(ann, 'orders-db');
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('instance_exists');
  });

  it('lets a platform admin act on any team, and refuses a viewer', async () => {
    expect((await create(h.admin, 'admin-made')).statusCode).toBe(202);
    const before = await footprint();
    const res = await create(vic, 'viewer-made');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'role_insufficient', errors: [{ path: 'team' }] });
    expect(await footprint()).toEqual(before);
    // a viewer reads…
    expect((await h.call(vic, 'GET', `${alpha}/orders-db`)).statusCode).toBe(200);
    expect((await h.call(vic, 'GET', alpha)).statusCode).toBe(200);
    // …but neither reveals nor deletes
    expect((await h.call(vic, 'POST', `${alpha}/orders-db/credentials:reveal`, {})).statusCode).toBe(403);
    expect((await h.call(vic, 'DELETE', `${alpha}/orders-db`)).statusCode).toBe(403);
    expect((await h.call(vic, 'PATCH', `${alpha}/orders-db`, { plan: 'large' })).statusCode).toBe(403);
    expect((await h.store.getInstanceByName((await h.store.getTeam({ name: 'alpha' }))!.id, 'orders-db'))!.deletionRequested).toBe(false);
  });

  it("hides a team's instances from other teams: 404 whether the name exists or not", async () => {
    const existing = await h.call(bob, 'GET', `${alpha}/orders-db`);
    const missing = await h.call(bob, 'GET', `${alpha}/no-such-thing`);
    expect(existing.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(existing.json().code).toBe('instance_not_found');
    expect(missing.json().code).toBe(existing.json().code);

    const before = await footprint();
    expect((await h.call(bob, 'POST', `${alpha}/orders-db/credentials:reveal`, {})).statusCode).toBe(404);
    expect((await h.call(bob, 'DELETE', `${alpha}/orders-db`)).statusCode).toBe(404);
    expect((await h.call(bob, 'PATCH', `${alpha}/orders-db`, { plan: 'large' })).statusCode).toBe(404);
    expect((await h.call(bob, 'GET', `${alpha}/orders-db/watch`)).statusCode).toBe(404);
    expect(await footprint()).toEqual(before);

    const list = await h.call(bob, 'GET', alpha);
    expect(list.statusCode).toBe(403);
    expect(list.json()).toMatchObject({ code: 'not_team_member', errors: [{ path: 'team' }] });
    expect((await create(bob, 'intruder')).statusCode).toBe(403);
    expect((await h.call(bob, 'GET', '/api/v1/teams/alpha/events')).statusCode).toBe(403);
  });

  const refused: [string, unknown, number, string, string][] = [
    ['a name over 40 characters', { name: 'a'.repeat(41), product: 'pgdb' }, 400, 'invalid_input', 'body.name'],
    ['a name with quotes', { name: "it's", product: 'pgdb' }, 400, 'invalid_input', 'body.name'],
    ['a name that is SQL', { name: "x'; DROP TABLE instances; --", product: 'pgdb' }, 400, 'invalid_input', 'body.name'],
    ['a missing name', { product: 'pgdb' }, 400, 'invalid_input', 'body.name'],
    ['an unknown field', { name: 'ok-name', product: 'pgdb', size: 3 }, 400, 'invalid_input', 'body.size'],
    ['an unknown product', { name: 'ok-name', product: 'nosuch' }, 404, 'product_not_found', 'product'],
    ['an unknown version', { name: 'ok-name', product: 'pgdb', version: '9.9.9' }, 404, 'version_not_found', 'version'],
    ['an unknown plan', { name: 'ok-name', product: 'pgdb', plan: 'huge' }, 400, 'plan_unknown', 'plan'],
    ['invalid inputs', { name: 'ok-name', product: 'pgdb', inputs: { extensions: ['plpython'] } }, 400, 'inputs_invalid', 'inputs.extensions'],
    ['an unknown input', { name: 'ok-name', product: 'pgdb', inputs: { superuser: true } }, 400, 'inputs_invalid', 'inputs'],
  ];
  for (const [what, body, status, code, path] of refused) {
    it(`refuses ${what} with a ${status} problem naming ${path}, writing nothing`, async () => {
      const before = await footprint();
      const res = await h.call(ann, 'POST', alpha, body);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = res.json();
      expect(problem.code).toBe(code);
      expect((problem.errors as { path: string }[]).map((e) => e.path).join(' ')).toContain(path);
      expect(await footprint()).toEqual(before);
    });
  }

  it('refuses an oversized body (413) and a body that is not JSON (415), writing nothing', async () => {
    const before = await footprint();
    const big = await h.call(ann, 'POST', alpha, { name: 'big', product: 'pgdb', inputs: { blob: 'x'.repeat(1024 * 1024 + 10) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('body_too_large');
    const text = await h.app.inject({
      method: 'POST', url: alpha, headers: { authorization: `Bearer ${ann.token}`, 'content-type': 'text/plain' }, payload: 'name=x',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe('unsupported_media_type');
    const broken = await h.app.inject({
      method: 'POST', url: alpha, headers: { authorization: `Bearer ${ann.token}`, 'content-type': 'application/json' }, payload: '{"name":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('invalid_json');
    expect(await footprint()).toEqual(before);
  });

  it("enforces the plan's quota per team", async () => {
    await h.product('platform', (m) => {
      m.metadata.name = 'cache';
      m.spec.plans = { tiny: { default: true, quota: { perTeam: 1 } } };
    });
    expect((await h.call(ann, 'POST', alpha, { name: 'cache-one', product: 'cache' })).statusCode).toBe(202);
    const second = await h.call(ann, 'POST', alpha, { name: 'cache-two', product: 'cache' });
    expect(second.statusCode).toBe(429);
    expect(second.json()).toMatchObject({ code: 'quota_exceeded', errors: [{ path: 'plan' }] });
    // another team has its own quota
    expect((await h.call(bob, 'POST', '/api/v1/teams/beta/instances', { name: 'cache-one', product: 'cache' })).statusCode).toBe(202);
  });

  it('says which driver and labels have no target', async () => {
    await h.product('platform', (m) => {
      m.metadata.name = 'gold';
      m.spec.targets = { selector: { tier: 'gold' } };
    });
    const before = await footprint();
    const res = await h.call(ann, 'POST', alpha, { name: 'shiny', product: 'gold' });
    expect(res.json().code).toBe('no_target');
    expect(res.json().detail).toContain('tier=gold');
    expect(await footprint()).toEqual(before);
  });

  it('pages through instances with a cursor', async () => {
    await h.team('gamma', [[ann, 'member']]);
    const names = ['p-one', 'p-two', 'p-three', 'p-four', 'p-five'];
    for (const name of names) expect((await create(ann, name, {}, 'gamma')).statusCode).toBe(202);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await h.call(ann, 'GET', `/api/v1/teams/gamma/instances?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: Instance[]; nextCursor?: string };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...names].sort());
    const bad = await h.call(ann, 'GET', '/api/v1/teams/gamma/instances?limit=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('query.limit');
  });

  it('lists the instances in one phase (with a product or not), and refuses an unknown phase naming the field', async () => {
    await h.team('delta', [[ann, 'member'], [vic, 'viewer']]);
    const created: Instance[] = [];
    for (const name of ['f-one', 'f-two', 'f-three']) created.push((await create(ann, name, {}, 'delta')).json() as Instance);
    const list = async (caller: Caller, query: string) => {
      const res = await h.call(caller, 'GET', `/api/v1/teams/delta/instances?${query}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      return (res.json() as { items: Instance[] }).items.map((i) => [i.name, i.status.phase]);
    };
    // Read before and after the change: a read answered again (store/unchanged-reads.ts) never hides it.
    for (let i = 0; i < 2; i++) expect(await list(vic, 'phase=Ready')).toEqual([]);
    expect((await h.call(vic, 'GET', '/api/v1/teams/delta/instances/f-two')).json().status.phase).toBe('Pending');
    await markReady(h.store, created[1]!);
    expect((await h.call(vic, 'GET', '/api/v1/teams/delta/instances/f-two')).json().status.phase).toBe('Ready');
    expect(await list(vic, 'phase=Ready')).toEqual([['f-two', 'Ready']]);
    expect(await list(ann, 'phase=Pending')).toEqual([['f-one', 'Pending'], ['f-three', 'Pending']]);
    expect(await list(ann, 'phase=Pending&product=pgdb&limit=1')).toEqual([['f-one', 'Pending']]);
    expect(await list(ann, 'phase=Failed')).toEqual([]);
    for (const phase of ['ready', 'Unknown', '']) {
      const bad = await h.call(ann, 'GET', `/api/v1/teams/delta/instances?phase=${phase}`);
      expect(bad.statusCode).toBe(400);
      // Every phase it takes, not the first of them (`must be "AwaitingApproval"`).
      expect(bad.json()).toMatchObject({ code: 'invalid_input', errors: [{ path: 'query.phase', message: 'must be one of: "AwaitingApproval", "Denied", "Pending", "Provisioning", "Ready", "Failed", "Deleting"' }] });
    }
    // The filter changes nothing of who may list: an outsider is refused as without it.
    const outsider = await h.call(bob, 'GET', '/api/v1/teams/delta/instances?phase=Ready');
    expect(outsider.statusCode).toBe(403);
    expect(outsider.json().code).toBe('not_team_member');
  });

  it('reveals credentials only once Ready, and records who revealed them', async () => {
    const instance = (await create(ann, 'reveal-me')).json() as Instance;
    const early = await h.call(ann, 'POST', `${alpha}/reveal-me/credentials:reveal`, {});
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'not_ready' });
    expect(early.json().detail).toContain('paved get reveal-me');

    await h.secrets.put(instance.id, 'credentials', { password: 'hunter2-secret', url: 'postgres://u:hunter2-secret@h/db' });
    await markReady(h.store, instance, { host: 'db.internal', port: '5432' });
    const res = await h.call(ann, 'POST', `${alpha}/reveal-me/credentials:reveal`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      instance: 'reveal-me', team: 'alpha',
      values: { host: 'db.internal', port: '5432', password: 'hunter2-secret', url: 'postgres://u:hunter2-secret@h/db' },
    });
    // GET shows only the non-secret outputs
    expect((await h.call(ann, 'GET', `${alpha}/reveal-me`)).json().outputs).toEqual({ host: 'db.internal', port: '5432' });

    const events = (await h.store.listEvents({ instanceId: instance.id, kinds: ['credentials.revealed'] })).items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'ann', kind: 'credentials.revealed' });
    expect(JSON.stringify(events)).not.toContain('hunter2');
  });

  it('updates the spec (new generation) and re-validates it', async () => {
    const res = await h.call(ann, 'PATCH', `${alpha}/orders-db`, { plan: 'large', inputs: { extensions: ['citext'] } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ plan: 'large', inputs: { extensions: ['citext'] }, generation: 2 });
    const before = await footprint();
    const bad = await h.call(ann, 'PATCH', `${alpha}/orders-db`, { plan: 'huge' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('plan_unknown');
    const badInputs = await h.call(ann, 'PATCH', `${alpha}/orders-db`, { inputs: { extensions: 'citext' } });
    expect(badInputs.statusCode).toBe(400);
    expect(await footprint()).toEqual(before);
  });

  it('deletes idempotently: 202 with phase Deleting, one event', async () => {
    const first = await h.call(ann, 'DELETE', `${alpha}/admin-made`);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ deletionRequested: true, status: { phase: 'Deleting' } });
    const second = await h.call(ann, 'DELETE', `${alpha}/admin-made`);
    expect(second.statusCode).toBe(202);
    const id = (first.json() as Instance).id;
    expect((await h.store.listEvents({ instanceId: id, kinds: ['instance.delete-requested'] })).items).toHaveLength(1);
    expect((await h.call(ann, 'PATCH', `${alpha}/admin-made`, { plan: 'large' })).statusCode).toBe(409);
    expect((await h.call(ann, 'DELETE', `${alpha}/never-was`)).statusCode).toBe(404);
  });
});
