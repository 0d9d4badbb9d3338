import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Ajv } from 'ajv';
import type { BackstageEntity, BackstageImportSummary } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import { allServices } from './catalog.js';
import { backstageEntitySchema } from './schema.test-support.js';
import { startHarness, type Caller, type Harness } from '../test-harness.js';

/** The e2e fixtures: a realistic org (2 groups, 3 users) and a repository's catalog-info.yaml. */
function fixture(file: string): Record<string, unknown>[] {
  const text = readFileSync(new URL(`../../../../e2e/fixtures/backstage/${file}`, import.meta.url), 'utf8');
  return parseAllDocuments(text).map((doc) => doc.toJS() as Record<string, unknown>);
}
const entities = [...fixture('org.yaml'), ...fixture('catalog-info.yaml')];
const sorted = (values: string[]) => [...values].sort();

eachStore('API backstage', (open) => {
  let h: Harness;
  let dev: Caller;
  beforeAll(async () => {
    h = await startHarness(await open());
    dev = await h.user('dev');
    await h.team('platform');
    await h.product('platform', (m) => { m.metadata.name = 'postgres'; });
  });
  afterAll(() => h.close());

  const importAs = async (caller: Caller, body: unknown) => h.call(caller, 'POST', '/api/v1/backstage/import', body);

  it('lets only platform admins import', async () => {
    const refused = await importAs(dev, { entities });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('admin_required');
    expect(await h.store.getTeam({ name: 'commerce' })).toBeUndefined();
    expect((await importAs(h.admin, { entities: 'nope' })).statusCode).toBe(400);
  });

  it('takes a catalog in batches: a later batch resolves against the context of the others, dry run included', async () => {
    const e = (kind: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name }, spec });
    const org = [e('Group', 'batch-team', { type: 'team', children: [] }), e('User', 'batch-user', { memberOf: ['batch-team'] }), e('System', 'batch-system', { owner: 'batch-team' })];
    const components = [e('Component', 'batch-svc', { type: 'library', lifecycle: 'production', owner: 'user:batch-user', system: 'batch-system' })];
    // Dry run of the components' batch before the organisation exists: the team it would create counts.
    const dry = (await importAs(h.admin, { entities: components, context: org, dryRun: true })).json() as BackstageImportSummary;
    expect(dry.created.services).toEqual(['batch-svc']);
    expect(dry.skipped).toEqual([]);
    expect(dry.ownersMapped).toEqual([{ entity: 'component:default/batch-svc', user: 'user:default/batch-user', team: 'batch-team' }]);
    // For real: the organisation's batch (its membership waits for the user's batch), then the users', then the components'.
    const groups = (await importAs(h.admin, { entities: [org[0]], context: org.slice(1) })).json() as BackstageImportSummary;
    expect(groups.created).toMatchObject({ teams: ['batch-team'], memberships: [] });
    const users = (await importAs(h.admin, { entities: [org[1], org[2]], context: [org[0]] })).json() as BackstageImportSummary;
    expect(users.created).toMatchObject({ users: ['batch-user'], memberships: ['batch-team/batch-user'] });
    const services = (await importAs(h.admin, { entities: components, context: org })).json() as BackstageImportSummary;
    expect(services.created.services).toEqual(['batch-svc']);
    expect(services.notes).toEqual([]);
    expect((await h.store.getService((await h.store.getTeam({ name: 'batch-team' }))!.id, 'batch-svc'))).toMatchObject({ type: 'library', system: 'batch-system' });
  });

  it('reports a dry run without changing anything', async () => {
    const res = await importAs(h.admin, { entities, dryRun: true });
    expect(res.statusCode, res.body).toBe(200);
    const summary = res.json() as BackstageImportSummary;
    expect(summary.dryRun).toBe(true);
    expect(sorted(summary.created.teams)).toEqual(['checkout-team', 'commerce']);
    expect(sorted(summary.created.services)).toEqual(['order-tracker', 'shop']);
    expect(await h.store.getTeam({ name: 'commerce' })).toBeUndefined();
    expect(await h.store.getUser({ name: 'ann' })).toBeUndefined();
  });

  it('imports groups, users, memberships and components, and says what it renamed, skipped and suggests', async () => {
    const res = await importAs(h.admin, { entities });
    expect(res.statusCode, res.body).toBe(200);
    const summary = res.json() as BackstageImportSummary;
    expect(summary.created).toEqual({
      teams: ['commerce', 'checkout-team'],
      users: ['ann', 'bob-smith', 'carla'],
      memberships: expect.arrayContaining(['commerce/bob-smith', 'checkout-team/ann', 'checkout-team/carla', 'commerce/carla']),
      services: ['shop', 'order-tracker'],
    });
    expect(summary.created.memberships).toHaveLength(4);
    expect(summary.renamed.map((r) => `${r.from}→${r.to}`)).toEqual(['checkout_team→checkout-team', 'bob.smith→bob-smith', 'order_tracker→order-tracker']);
    expect(summary.suggestions).toEqual([{ entity: 'resource:default/orders-db', product: 'postgres', team: 'checkout-team' }]);
    expect(summary.dependencies).toEqual(expect.arrayContaining([
      { from: 'component:default/shop', to: 'resource:default/orders-db' },
      { from: 'component:default/order_tracker', to: 'component:default/shop' },
    ]));
    expect(summary.skipped).toEqual([]);

    // What the store now holds: titles, memberships with role member, services with owner and fields.
    expect((await h.store.getTeam({ name: 'checkout-team' }))?.title).toBe('Checkout');
    expect((await h.store.getTeam({ name: 'commerce' }))?.title).toBe('Commerce department');
    const ann = await h.store.getUser({ name: 'ann' });
    expect(ann?.admin).toBe(false);
    expect((await h.store.listMemberships({ userId: ann!.id })).map((m) => `${m.teamName}:${m.role}`)).toEqual(['checkout-team:member']);
    const services = await allServices(h.store);
    expect(services.find((s) => s.name === 'shop')).toMatchObject({
      teamName: 'checkout-team', lifecycle: 'production', system: 'checkout', repositoryUrl: 'https://github.com/example-org/shop', description: "The web shop's backend",
    });
    expect(services.find((s) => s.name === 'order-tracker')).toMatchObject({
      teamName: 'commerce', lifecycle: 'experimental', repositoryUrl: 'https://git.example.com/commerce/order-tracker/',
    });
  });

  it('changes nothing when the same files are imported again, and updates what changed', async () => {
    const again = (await importAs(h.admin, { entities })).json() as BackstageImportSummary;
    expect(again.created).toEqual({ teams: [], users: [], memberships: [], services: [] });
    expect(again.updated).toEqual({ teams: [], users: [], memberships: [], services: [] });
    expect(sorted(again.unchanged.services)).toEqual(['order-tracker', 'shop']);
    expect(again.unchanged.memberships).toHaveLength(4);

    const changed = structuredClone(entities);
    const shop = changed.find((e) => (e.metadata as { name: string }).name === 'shop') as unknown as BackstageEntity;
    shop.metadata.description = 'The shop, rewritten';
    const summary = (await importAs(h.admin, { entities: changed })).json() as BackstageImportSummary;
    expect(summary.updated.services).toEqual(['shop']);
    expect((await h.store.getService((await h.store.getTeam({ name: 'checkout-team' }))!.id, 'shop'))?.description).toBe('The shop, rewritten');
  });

  it('exports what the caller can see as valid Backstage entities, and re-importing it duplicates nothing', async () => {
    const annToken = (await h.call(h.admin, 'POST', '/api/v1/users/ann/tokens', { name: 'test' })).json().token as string;
    const ann: Caller = { user: (await h.store.getUser({ name: 'ann' }))!, token: annToken };
    const created = await h.call(ann, 'POST', '/api/v1/teams/checkout-team/instances', { name: 'orders-db', product: 'postgres' });
    expect(created.statusCode, created.body).toBe(202);

    const mine = await h.call(ann, 'GET', '/api/v1/backstage/export');
    expect(mine.statusCode, mine.body).toBe(200);
    const seen = (mine.json() as { entities: BackstageEntity[] }).entities;
    const validate = new Ajv({ strict: false }).compile(backstageEntitySchema);
    for (const e of seen) expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
    expect(seen.map((e) => `${e.kind}:${e.metadata.name}`)).toEqual(['Group:checkout-team', 'User:ann', 'User:carla', 'System:checkout', 'Component:shop', 'Resource:orders-db']);
    expect(seen[4]!.spec).toMatchObject({ owner: 'group:default/checkout-team', lifecycle: 'production', system: 'checkout' });
    expect(seen[5]).toMatchObject({
      metadata: { description: 'PostgreSQL database', annotations: { 'paved.dev/product': expect.stringMatching(/^postgres@/), 'paved.dev/phase': 'Pending' } },
      spec: { owner: 'group:default/checkout-team' },
    });
    expect((await h.call(undefined, 'GET', '/api/v1/backstage/export')).statusCode).toBe(401);

    const all = (await h.call(h.admin, 'GET', '/api/v1/backstage/export')).json() as { entities: BackstageEntity[] };
    expect(all.entities.filter((e) => e.kind === 'Component' && e.metadata.name !== 'batch-svc').map((e) => e.metadata.name)).toEqual(['shop', 'order-tracker']);
    const teamsBefore = (await h.store.listTeams()).length;
    const back = (await importAs(h.admin, { entities: all.entities })).json() as BackstageImportSummary;
    expect(back.created).toEqual({ teams: [], users: [], memberships: [], services: [] });
    expect(back.updated.services).toEqual([]);
    expect(back.skipped).toEqual([expect.objectContaining({ entity: 'resource:default/orders-db', reason: expect.stringMatching(/Paved already manages it/) })]);
    expect((await h.store.listTeams()).length).toBe(teamsBefore);
  });

  it('reads back its own export of a service made without a type as no change (the export writes type service, which Backstage requires)', async () => {
    await h.team('roundtrip');
    expect((await h.call(h.admin, 'POST', '/api/v1/teams/roundtrip/services', { name: 'plain' })).statusCode).toBe(201);
    const exported = ((await h.call(h.admin, 'GET', '/api/v1/backstage/export')).json() as { entities: BackstageEntity[] }).entities;
    const plain = exported.find((e) => e.kind === 'Component' && e.metadata.name === 'plain')!;
    expect(plain.spec).toMatchObject({ type: 'service' });
    const back = (await importAs(h.admin, { entities: exported })).json() as BackstageImportSummary;
    expect(back.updated).toEqual({ teams: [], users: [], memberships: [], services: [] });
    expect(back.unchanged.services).toContain('plain');
    expect((await h.store.getService((await h.store.getTeam({ name: 'roundtrip' }))!.id, 'plain'))?.type).toBeUndefined();
    // A type Backstage says differently is still taken.
    const website = structuredClone(exported);
    (website.find((e) => e.kind === 'Component' && e.metadata.name === 'plain')!.spec as { type: string }).type = 'website';
    expect(((await importAs(h.admin, { entities: website })).json() as BackstageImportSummary).updated.services).toEqual(['plain']);
  });
});
