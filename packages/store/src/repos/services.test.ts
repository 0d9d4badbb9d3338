import { expect, it } from 'vitest';
import { ConflictError, DEFAULT_ENVIRONMENTS, NotFoundError } from '@paved/model';
import { eachStore } from '../testing.js';
import { newInstance, seedTeam } from '../test-fixtures.js';

eachStore('store: services and environments', (open) => {
  it('creates, reads, lists, changes and deletes services, one name per team', async () => {
    const store = await open();
    const orders = await seedTeam(store, 'orders');
    const billing = await seedTeam(store, 'billing');
    const api = await store.createService({ teamId: orders.id, name: 'api', description: 'Order API', lifecycle: 'experimental', repositoryUrl: 'https://git.example/orders/api' });
    expect(api).toMatchObject({ teamId: orders.id, teamName: 'orders', name: 'api', description: 'Order API', lifecycle: 'experimental', repositoryUrl: 'https://git.example/orders/api' });
    expect(api.system).toBeUndefined();
    await store.createService({ teamId: billing.id, name: 'api', description: '', lifecycle: 'production' });
    await store.createService({ teamId: orders.id, name: 'worker', description: '', lifecycle: 'production' });
    await expect(store.createService({ teamId: orders.id, name: 'api', description: '', lifecycle: 'production' })).rejects.toMatchObject({ code: 'service_exists', issues: [{ path: 'name' }] });

    expect(await store.getService(orders.id, 'api')).toEqual(api);
    expect(await store.getService(orders.id, 'nope')).toBeUndefined();
    expect((await store.listServices()).items.map((s) => `${s.teamName}/${s.name}`)).toEqual(['billing/api', 'orders/api', 'orders/worker']);
    expect((await store.listServices({ teamIds: [orders.id] })).items.map((s) => s.name)).toEqual(['api', 'worker']);
    const first = await store.listServices({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect((await store.listServices({ limit: 2, cursor: first.nextCursor })).items.map((s) => s.name)).toEqual(['worker']);

    const changed = await store.updateService(api.id, { lifecycle: 'production', system: 'shop' });
    expect(changed).toMatchObject({ lifecycle: 'production', system: 'shop', description: 'Order API' });
    await store.deleteService(api.id);
    expect(await store.getService(orders.id, 'api')).toBeUndefined();
    await expect(store.deleteService(api.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('creates many services in one transaction (an import), all or none, with their component type; teams keep a parent', async () => {
    const store = await open();
    const web = await seedTeam(store, 'web');
    await store.createServices(Array.from({ length: 1200 }, (_, i) => ({ teamId: web.id, name: `svc-${i}`, description: `n${i}`, lifecycle: 'production' as const, ...(i === 0 ? { type: 'website', system: 'portal' } : {}) })));
    expect(await store.getService(web.id, 'svc-0')).toMatchObject({ type: 'website', system: 'portal', description: 'n0' });
    expect((await store.getService(web.id, 'svc-1199'))?.type).toBeUndefined();
    expect((await store.updateService((await store.getService(web.id, 'svc-1'))!.id, { type: 'library' })).type).toBe('library');
    await expect(store.createServices([{ teamId: web.id, name: 'fresh', description: '', lifecycle: 'production' }, { teamId: web.id, name: 'svc-5', description: '', lifecycle: 'production' }]))
      .rejects.toBeInstanceOf(ConflictError);
    expect(await store.getService(web.id, 'fresh')).toBeUndefined();
    expect((await store.updateTeam(web.id, { parent: 'org' }))?.parent).toBe('org');
    expect((await store.getTeam({ name: 'web' }))?.parent).toBe('org');
  });

  it('keeps the workload of an instance and refuses to delete a service that has instances', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const service = await store.createService({ teamId: team.id, name: 'shop', description: '', lifecycle: 'experimental' });
    const db = await store.createInstance(newInstance(team, 'shop-db-dev', { workload: { serviceId: service.id, environment: 'dev', resource: 'db', shared: false } }));
    await store.createInstance(newInstance(team, 'cache-dev', { workload: { serviceId: service.id, environment: 'dev', resource: 'cache', shared: true } }));
    await store.createInstance(newInstance(team, 'shop-db-prod', { workload: { serviceId: service.id, environment: 'prod', resource: 'db', shared: false } }));
    const plain = await store.createInstance(newInstance(team, 'by-hand'));
    expect(db.workload).toEqual({ service: 'shop', environment: 'dev', resource: 'db', shared: false });
    expect(plain.workload).toBeUndefined();
    expect((await store.listWorkloadInstances(service.id, 'dev')).map((i) => [i.name, i.workload?.shared])).toEqual([['shop-db-dev', false], ['cache-dev', true]]);
    expect((await store.listInstances({ teamIds: [team.id] })).items.find((i) => i.name === 'cache-dev')?.workload?.resource).toBe('cache');

    const error = await store.deleteService(service.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'service_has_instances', issues: [{ path: 'service' }] });
  });

  it('records what each workload named, per team and environment', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const a = await store.createService({ teamId: team.id, name: 'a', description: '', lifecycle: 'experimental' });
    const b = await store.createService({ teamId: team.id, name: 'b', description: '', lifecycle: 'experimental' });
    await store.putWorkload({ serviceId: a.id, environment: 'dev', sharedIds: ['cache'] });
    await store.putWorkload({ serviceId: b.id, environment: 'dev', sharedIds: ['cache', 'bus'] });
    await store.putWorkload({ serviceId: a.id, environment: 'dev', sharedIds: [] });
    const records = await store.listWorkloads({ teamId: team.id, environment: 'dev' });
    expect(records.map((r) => r.sharedIds).sort()).toEqual([[], ['bus', 'cache']]);
    expect(await store.listWorkloads({ teamId: team.id, environment: 'prod' })).toEqual([]);
  });

  it('keeps each workload\'s published ports and its own config apart: an apply never clears the config', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const a = await store.createService({ teamId: team.id, name: 'a', description: '', lifecycle: 'experimental' });
    // Config before the first apply makes the record; the apply keeps it.
    await store.putWorkloadConfig({ serviceId: a.id, environment: 'dev', config: { GREETING: 'hi' } });
    expect(await store.getWorkload(a.id, 'dev')).toEqual({ serviceId: a.id, service: 'a', environment: 'dev', sharedIds: [], config: { GREETING: 'hi' } });
    await store.putWorkload({ serviceId: a.id, environment: 'dev', sharedIds: ['cache'], ports: { web: { port: 8080, targetPort: 3000 } } });
    await store.putWorkloadConfig({ serviceId: a.id, environment: 'dev', config: { GREETING: 'hello', NAME: 'Bob' } });
    expect(await store.getWorkload(a.id, 'dev')).toEqual({
      serviceId: a.id, service: 'a', environment: 'dev', sharedIds: ['cache'], ports: { web: { port: 8080, targetPort: 3000 } }, config: { GREETING: 'hello', NAME: 'Bob' },
    });
    expect(await store.getWorkload(a.id, 'prod')).toBeUndefined();
    expect((await store.listWorkloads({ teamId: team.id, environment: 'dev' }))[0]?.ports).toEqual({ web: { port: 8080, targetPort: 3000 } });
  });

  it('seeds dev, staging and prod, and adds and changes environments', async () => {
    const store = await open();
    expect((await store.listEnvironments()).map((e) => e.name)).toEqual(DEFAULT_ENVIRONMENTS.map((e) => e.name));
    expect(await store.getEnvironment('dev')).toMatchObject({ targetSelector: {}, policies: {}, variables: {} });
    const withVariables = await store.updateEnvironment('staging', { variables: { LOG_LEVEL: 'info' } });
    expect(withVariables.variables).toEqual({ LOG_LEVEL: 'info' });
    const qa = await store.createEnvironment({ name: 'qa', description: 'QA', targetSelector: { tier: 'qa' }, policies: { deniedProducts: ['nats'] } });
    expect(qa).toMatchObject({ name: 'qa', targetSelector: { tier: 'qa' }, policies: { deniedProducts: ['nats'] } });
    await expect(store.createEnvironment({ ...qa })).rejects.toMatchObject({ code: 'environment_exists' });
    const prod = await store.updateEnvironment('prod', { policies: { allowedPlans: { postgres: ['large'] } } });
    expect(prod.policies).toEqual({ allowedPlans: { postgres: ['large'] } });
    expect(prod.description).toBe('Production.');
    expect((await store.listEnvironments()).map((e) => e.name)).toEqual(['dev', 'staging', 'prod', 'qa']);
    await expect(store.updateEnvironment('nope', { description: 'x' })).rejects.toMatchObject({ code: 'environment_not_found' });
  });
});
