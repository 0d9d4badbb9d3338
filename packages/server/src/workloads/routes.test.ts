import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { manifestDigest, parseProductManifestsFromText, type Instance, type WorkloadPlan } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import { startHarness, TEST_TARGETS, type Caller, type Harness } from '../test-harness.js';

/** A built-in product exactly as `paved up` publishes it. */
function builtIn(name: string) {
  const file = new URL(`../../../../products/${name}.yaml`, import.meta.url);
  const [manifest] = parseProductManifestsFromText(readFileSync(file, 'utf8'), `${name}.yaml`);
  return { name, version: manifest!.spec.version, manifest: manifest!, digest: manifestDigest(manifest!) };
}

const score = (resources: Record<string, unknown>, variables: Record<string, string> = {}) => ({
  apiVersion: 'score.dev/v1b1',
  metadata: { name: 'shop' },
  containers: { web: { image: '.', variables } },
  resources,
});

eachStore('API services, environments and workloads', (open) => {
  let h: Harness;
  let ann: Caller; // member of alpha
  let vic: Caller; // viewer of alpha
  let bob: Caller; // member of beta
  const wl = (service: string, env = 'dev', team = 'alpha') => `/api/v1/teams/${team}/services/${service}/environments/${env}/workload`;

  beforeAll(async () => {
    h = await startHarness(await open(), { targets: [...TEST_TARGETS, { name: 'local-workloads', driver: 'score', labels: {}, config: {} }] });
    ann = await h.user('ann');
    vic = await h.user('vic');
    bob = await h.user('bob');
    await h.team('platform');
    await h.team('alpha', [[ann, 'member'], [vic, 'viewer']]);
    await h.team('beta', [[bob, 'member']]);
    await h.product('platform'); // "pgdb": plans small (default) and large
    await h.product('platform', (m) => { m.metadata.name = 'cache'; });
    for (const name of ['environment', 'service']) await h.store.publishProductVersion(builtIn(name));
  });
  afterAll(() => h.close());

  it('lists the seeded environments to anyone and lets only admins add or change one', async () => {
    const list = await h.call(vic, 'GET', '/api/v1/environments');
    expect(list.json().map((e: { name: string }) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect((await h.call(ann, 'POST', '/api/v1/environments', { name: 'qa' })).statusCode).toBe(403);
    const created = await h.call(h.admin, 'POST', '/api/v1/environments', { name: 'qa', description: 'QA', targetSelector: { tier: 'nowhere' } });
    expect(created.statusCode).toBe(201);
    const put = await h.call(h.admin, 'PUT', '/api/v1/environments/prod', { policies: { allowedPlans: { pgdb: ['large'] }, deniedProducts: ['cache'] } });
    expect(put.json().policies).toEqual({ allowedPlans: { pgdb: ['large'] }, deniedProducts: ['cache'] });
    expect((await h.call(ann, 'GET', '/api/v1/environments/nope')).json().code).toBe('environment_not_found');
  });

  it('plans without writing, applies, then shows no change; viewers plan but cannot apply', async () => {
    const doc = score({ db: { type: 'pgdb' } }, { DB: '${resources.db.host}' });
    const planned = await h.call(vic, 'POST', wl('shop'), { score: doc, dryRun: true });
    expect(planned.statusCode).toBe(200);
    expect((planned.json() as WorkloadPlan).changes).toEqual([{ action: 'create', resource: 'db', instance: 'shop-db-dev', product: 'pgdb', plan: 'small', details: [] }]);
    expect(await h.store.countInstances({})).toBe(0);
    expect((await h.call(vic, 'POST', wl('shop'), { score: doc })).statusCode).toBe(403);

    const applied = await h.call(ann, 'POST', wl('shop'), { score: doc });
    expect(applied.statusCode).toBe(202);
    expect(applied.json()).toMatchObject({ applied: true, service: 'shop', environment: 'dev', team: 'alpha' });
    const service = await h.call(vic, 'GET', '/api/v1/teams/alpha/services/shop');
    expect(service.json()).toMatchObject({ name: 'shop', teamName: 'alpha', lifecycle: 'experimental' });
    const instances = (await h.call(vic, 'GET', '/api/v1/teams/alpha/services/shop/environments/dev/instances')).json().items as Instance[];
    expect(instances.map((i) => [i.name, i.workload])).toEqual([['shop-db-dev', { service: 'shop', environment: 'dev', resource: 'db', shared: false }]]);

    const again = (await h.call(ann, 'POST', wl('shop'), { score: doc, dryRun: true })).json() as WorkloadPlan;
    expect(again.changes.map((c) => c.action)).toEqual(['unchanged']);

    // class → plan is an update; removing the resource deletes its instance.
    const bigger = (await h.call(ann, 'POST', wl('shop'), { score: score({ db: { type: 'pgdb', class: 'large' } }) })).json() as WorkloadPlan;
    expect(bigger.changes).toMatchObject([{ action: 'update', details: ['plan small → large'] }]);
    expect((await h.store.getInstanceByName(instances[0]!.teamId, 'shop-db-dev'))?.plan).toBe('large');
    const removed = (await h.call(ann, 'POST', wl('shop'), { score: score({}) })).json() as WorkloadPlan;
    expect(removed.changes).toMatchObject([{ action: 'delete', instance: 'shop-db-dev' }]);
    expect((await h.store.getInstanceByName(instances[0]!.teamId, 'shop-db-dev'))?.deletionRequested).toBe(true);
    expect((await h.call(ann, 'DELETE', '/api/v1/teams/alpha/services/shop')).json().code).toBe('service_has_instances');
  });

  it('refuses a bad file with every problem named and writes nothing', async () => {
    const before = await h.store.countInstances({});
    const res = await h.call(ann, 'POST', wl('broken'), { score: score({ db: { type: 'pgdb', class: 'huge' }, q: { type: 'kafka' } }, { X: '${resources.db.hots}' }) });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('workload_invalid');
    expect(body.detail).toContain('resources.q.type: no product serves Score type "kafka" here (types served: cache, environment, pgdb, service)');
    expect(body.detail).toContain('resources: type kafka needs a product: a platform team maps each to a product of its own by listing it in that product\'s spec.score.types');
    expect(body.detail).toContain('resources.db.class:');
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual(['resources.db.class', 'resources.q.type', 'resources', 'containers.web.variables.X']);
    // Each issue carries its bare message: a client holding the file says where it is.
    expect(body.errors[1].message).toBe('no product serves Score type "kafka" here (types served: cache, environment, pgdb, service)');
    expect(await h.store.countInstances({})).toBe(before);
    expect((await h.call(ann, 'GET', '/api/v1/teams/alpha/services/broken')).statusCode).toBe(404);
    const invalid = await h.call(ann, 'POST', wl('broken'), { score: { apiVersion: 'score.dev/v1b1', metadata: { name: 'x' } } });
    expect(invalid.json()).toMatchObject({ code: 'score_invalid', errors: [{ path: 'containers' }] });
  });

  it('applies environment policies and target selectors', async () => {
    const prodPlan = await h.call(ann, 'POST', wl('pol', 'prod'), { score: score({ db: { type: 'pgdb' }, c: { type: 'cache' } }), dryRun: true });
    expect(prodPlan.statusCode).toBe(400);
    expect(prodPlan.json().detail).toContain('resources.db.class: plan small of pgdb is not allowed in environment prod (allowed: large)');
    expect(prodPlan.json().detail).toContain('resources.c.type: cache may not be used in environment prod');
    const qa = await h.call(ann, 'POST', wl('pol', 'qa'), { score: score({ db: { type: 'pgdb' } }), dryRun: true });
    expect(qa.json().detail).toContain('tier=nowhere');
  });

  it('shares an id between workloads: created once, kept while any workload names it', async () => {
    const shared = { cache: { type: 'cache', id: 'common-cache' } };
    const a = (await h.call(ann, 'POST', wl('svc-a'), { score: score(shared) })).json() as WorkloadPlan;
    expect(a.changes).toMatchObject([{ action: 'create', instance: 'common-cache-dev', resource: 'common-cache' }]);
    const b = (await h.call(ann, 'POST', wl('svc-b'), { score: score(shared) })).json() as WorkloadPlan;
    expect(b.changes).toMatchObject([{ action: 'unchanged', instance: 'common-cache-dev' }]);
    const bList = (await h.call(ann, 'GET', '/api/v1/teams/alpha/services/svc-b/environments/dev/instances')).json().items as Instance[];
    expect(bList.map((i) => i.name)).toEqual(['common-cache-dev']);

    expect(((await h.call(ann, 'POST', wl('svc-a'), { score: score({}) })).json() as WorkloadPlan).changes).toEqual([]);
    const team = (await h.store.getTeam({ name: 'alpha' }))!;
    expect((await h.store.getInstanceByName(team.id, 'common-cache-dev'))?.deletionRequested).toBe(false);
    const last = (await h.call(ann, 'POST', wl('svc-b'), { score: score({}) })).json() as WorkloadPlan;
    expect(last.changes).toMatchObject([{ action: 'delete', instance: 'common-cache-dev' }]);
  });

  it('lists the whole catalog to anyone and a team\'s services to its members; outsiders get 403', async () => {
    const all = (await h.call(bob, 'GET', '/api/v1/services')).json().items as { name: string }[];
    expect(all.map((s) => s.name)).toContain('shop');
    expect((await h.call(bob, 'GET', '/api/v1/teams/alpha/services')).statusCode).toBe(403);
    const created = await h.call(bob, 'POST', '/api/v1/teams/beta/services', { name: 'ledger', description: 'Books', repositoryUrl: 'https://git/x' });
    expect(created.statusCode).toBe(201);
    expect((await h.call(bob, 'PATCH', '/api/v1/teams/beta/services/ledger', { lifecycle: 'production' })).json().lifecycle).toBe('production');
    expect((await h.call(bob, 'DELETE', '/api/v1/teams/beta/services/ledger')).statusCode).toBe(204);
    expect((await h.call(bob, 'GET', '/api/v1/teams/beta/services/ledger')).json().code).toBe('service_not_found');
  });
  it('keeps a service\'s own config per environment: viewers read it, members set it, and its environment resource takes it at once', async () => {
    await h.call(h.admin, 'PUT', '/api/v1/environments/dev', { variables: { LOG_LEVEL: 'debug', NAME: 'Ann' } });
    const cfg = (service: string, team = 'alpha') => `/api/v1/teams/${team}/services/${service}/environments/dev/config`;
    const doc = { ...score({ env: { type: 'environment' }, peer: { type: 'service', params: { workload: 'shop' } } }, { NAME: '${resources.env.NAME}' }), metadata: { name: 'configured' } };
    expect((await h.call(ann, 'POST', wl('configured'), { score: doc })).statusCode).toBe(202);
    const envInstance = async () => h.store.getInstanceByName((await h.store.getTeam({ name: 'alpha' }))!.id, 'configured-env-dev');
    expect((await envInstance())?.inputs).toEqual({ resolved: { LOG_LEVEL: 'debug', NAME: 'Ann' } });

    expect((await h.call(vic, 'GET', cfg('configured'))).json()).toEqual({ service: 'configured', environment: 'dev', values: {} });
    expect((await h.call(vic, 'PUT', cfg('configured'), { values: { NAME: 'Vic' } })).statusCode).toBe(403);
    expect((await h.call(bob, 'GET', cfg('configured'))).statusCode).toBe(403);
    const set = await h.call(ann, 'PUT', cfg('configured'), { values: { NAME: 'Bob' } });
    expect(set.json()).toEqual({ service: 'configured', environment: 'dev', values: { NAME: 'Bob' } });
    expect((await envInstance())?.inputs).toEqual({ resolved: { LOG_LEVEL: 'debug', NAME: 'Bob' } });
    expect((await h.call(ann, 'POST', wl('configured'), { score: doc, dryRun: true })).json().changes.map((c: { action: string }) => c.action)).toEqual(['unchanged', 'unchanged']);

    const bad = await h.call(ann, 'PUT', cfg('configured'), { values: { '1BAD': 'x' } });
    expect(bad.json()).toMatchObject({ code: 'config_values_invalid', errors: [{ path: 'values.1BAD' }] });
    expect((await h.call(ann, 'GET', cfg('nobody'))).json().code).toBe('service_not_found');
    await h.call(h.admin, 'PUT', '/api/v1/environments/dev', { variables: {} });
  });
});
