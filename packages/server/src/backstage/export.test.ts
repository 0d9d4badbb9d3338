import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { Instance, Service, Team } from '@paved/model';
import { exportBackstageEntities, uniqueNames, type ExportedInstance } from './export.js';
import { backstageEntitySchema } from './schema.test-support.js';

const at = '2026-01-01T00:00:00.000Z';
const team = (name: string): Team => ({ id: `t-${name}`, name, title: `Team ${name}`, createdAt: at });
const service = (teamName: string, name: string, extra: Partial<Service> = {}): Service => ({
  id: `s-${teamName}-${name}`, teamId: `t-${teamName}`, teamName, name, description: `${name} service`, lifecycle: 'production', createdAt: at, updatedAt: at, ...extra,
});
const instance = (teamName: string, name: string, product: string, extra: Partial<ExportedInstance> = {}): ExportedInstance => ({
  id: `i-${teamName}-${name}`, teamId: `t-${teamName}`, teamName, name, product, productVersion: '1.1.0', plan: 'small', inputs: {},
  externalName: 'x', target: 't', generation: 1, observedGeneration: 1, deletionRequested: false,
  status: { phase: 'Ready', conditions: [] }, outputs: {}, createdBy: 'ann', createdAt: at, updatedAt: at,
  credentials: { rotation: 0, rotating: false }, ...extra,
} as Instance);

const products = new Map([
  ['postgres', { title: 'PostgreSQL database', driver: 'postgres' }],
  ['redis', { title: 'Redis key space', driver: 'redis' }],
  ['secret', { title: 'Generated secret', driver: 'secret' }],
]);

describe('exportBackstageEntities', () => {
  const entities = exportBackstageEntities({
    teams: [team('payments'), team('search')],
    services: [service('payments', 'shop', { repositoryUrl: 'https://github.com/acme/shop', system: 'checkout' }), service('search', 'shop'), service('search', 'indexer')],
    instances: [
      instance('payments', 'orders-db', 'postgres', { workload: { service: 'shop', environment: 'dev', resource: 'db', shared: false } }),
      instance('search', 'orders-db', 'redis'),
      instance('search', 'token', 'secret', { workload: { service: 'indexer', environment: 'dev', resource: 'token', shared: false } }),
      instance('search', 'gone', 'postgres', { deletionRequested: true }),
    ],
    products,
  });
  const find = (kind: string, name: string) => entities.find((e) => e.kind === kind && e.metadata.name === name);

  it('emits valid Backstage entities: groups, components, resources', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(backstageEntitySchema);
    for (const e of entities) expect(validate(e), `${e.kind} ${e.metadata.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    expect(entities.map((e) => `${e.kind}:${e.metadata.name}`)).toEqual([
      'Group:payments', 'Group:search', 'System:checkout',
      'Component:payments-shop', 'Component:indexer', 'Component:search-shop',
      'Resource:payments-orders-db', 'Resource:search-orders-db', 'Resource:token',
    ]);
  });

  it('maps a service to a Component owned by its team that depends on its instances', () => {
    expect(find('Component', 'payments-shop')).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'payments-shop', description: 'shop service',
        annotations: { 'paved.dev/team': 'payments', 'paved.dev/service': 'shop', 'backstage.io/source-location': 'url:https://github.com/acme/shop' },
      },
      spec: { type: 'service', lifecycle: 'production', owner: 'group:default/payments', system: 'checkout', dependsOn: ['resource:default/payments-orders-db'] },
    });
    expect(find('Component', 'search-shop')!.spec).not.toHaveProperty('dependsOn');
    expect(find('Component', 'indexer')!.spec!.dependsOn).toEqual(['resource:default/token']);
  });

  it('maps an instance to a Resource with its product, phase and a Backstage type', () => {
    expect(find('Resource', 'payments-orders-db')).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'payments-orders-db', description: 'PostgreSQL database',
        annotations: {
          'paved.dev/team': 'payments', 'paved.dev/instance': 'orders-db', 'paved.dev/product': 'postgres@1.1.0',
          'paved.dev/phase': 'Ready', 'paved.dev/environment': 'dev',
        },
      },
      spec: { type: 'database', owner: 'group:default/payments', system: 'checkout' },
    });
    expect(find('Resource', 'search-orders-db')!.spec).toEqual({ type: 'cache', owner: 'group:default/search' });
    expect(find('Resource', 'token')!.spec!.type).toBe('secret');
    expect(find('Resource', 'gone')).toBeUndefined();
  });

  it('writes Users with their teams, Systems with an owner, and a shared resource in the dependsOn of every service using it', () => {
    const shopService = service('payments', 'shop', { system: 'checkout' });
    const cart = service('payments', 'cart', { system: 'checkout' });
    const db = instance('payments', 'orders-db', 'postgres', { workload: { service: 'shop', environment: 'dev', resource: 'db', shared: true } });
    const out = exportBackstageEntities({
      teams: [team('payments'), team('search')], services: [shopService, cart, service('search', 'indexer', { system: 'checkout' })], instances: [db], products,
      members: [{ team: 'payments', user: 'ann' }, { team: 'search', user: 'ann' }, { team: 'search', user: 'bob' }],
      sharedUses: [{ serviceId: shopService.id, instanceId: db.id }, { serviceId: cart.id, instanceId: db.id }],
    });
    const get = (kind: string, name: string) => out.find((e) => e.kind === kind && e.metadata.name === name);
    expect(get('User', 'ann')!.spec).toEqual({ memberOf: ['group:default/payments', 'group:default/search'] });
    expect(get('User', 'bob')!.spec).toEqual({ memberOf: ['group:default/search'] });
    expect(get('System', 'checkout')!.spec).toEqual({ owner: 'group:default/payments' });
    expect(get('Component', 'shop')!.spec!.dependsOn).toEqual(['resource:default/orders-db']);
    expect(get('Component', 'cart')!.spec!.dependsOn).toEqual(['resource:default/orders-db']);
    expect(get('Component', 'indexer')!.spec).not.toHaveProperty('dependsOn');
  });

  it('keeps component types and the team hierarchy (a parent only when it is exported too)', () => {
    const out = exportBackstageEntities({
      teams: [team('org'), { ...team('web'), parent: 'org' }, { ...team('lone'), parent: 'hidden' }],
      services: [service('web', 'site', { type: 'website' }), service('web', 'sdk', { type: 'library' }), service('org', 'api')],
      instances: [], products,
    });
    const get = (kind: string, name: string) => out.find((e) => e.kind === kind && e.metadata.name === name)!;
    expect(get('Group', 'org').spec).toMatchObject({ children: ['group:default/web'] });
    expect(get('Group', 'org').spec).not.toHaveProperty('parent');
    expect(get('Group', 'web').spec).toMatchObject({ parent: 'group:default/org', children: [] });
    expect(get('Group', 'lone').spec).not.toHaveProperty('parent');
    expect([get('Component', 'site').spec!.type, get('Component', 'sdk').spec!.type, get('Component', 'api').spec!.type]).toEqual(['website', 'library', 'service']);
  });

  it('keeps long names within 63 characters and distinct', () => {
    const long = 'a'.repeat(40);
    const name = uniqueNames([{ team: `x${'b'.repeat(39)}`, name: long }, { team: `y${'c'.repeat(39)}`, name: long }]);
    const first = name(`x${'b'.repeat(39)}`, long);
    const second = name(`y${'c'.repeat(39)}`, long);
    expect(first.length).toBeLessThanOrEqual(63);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
