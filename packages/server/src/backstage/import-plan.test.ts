import { describe, expect, it } from 'vitest';
import { planBackstageImport } from './import-plan.js';
import { parseEntityRef, toPavedName } from './refs.js';

const entity = (kind: string, name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, ...metadata }, spec,
});
const context = { products: ['postgres', 'redis', 'mysql', 'amqp'] };

describe('entity refs and names', () => {
  it('parses refs with default kind and namespace', () => {
    expect(parseEntityRef('group:default/team-a')).toEqual({ kind: 'group', namespace: 'default', name: 'team-a' });
    expect(parseEntityRef('user:jdoe')).toEqual({ kind: 'user', namespace: 'default', name: 'jdoe' });
    expect(parseEntityRef('team-a', 'group')).toEqual({ kind: 'group', namespace: 'default', name: 'team-a' });
    expect(parseEntityRef('Component:Other/shop')).toEqual({ kind: 'component', namespace: 'other', name: 'shop' });
    expect(parseEntityRef('team-a')).toBeUndefined();
    expect(parseEntityRef('a/b/c', 'group')).toBeUndefined();
    expect(parseEntityRef(42, 'group')).toBeUndefined();
  });

  it('normalises Backstage names to Paved names and refuses what cannot be one', () => {
    expect(toPavedName('Team_A.web')).toEqual({ ok: true, name: 'team-a-web', renamed: true });
    expect(toPavedName('shop')).toEqual({ ok: true, name: 'shop', renamed: false });
    expect(toPavedName('9lives')).toMatchObject({ ok: false, reason: expect.stringContaining('start with a letter') });
    expect(toPavedName('a'.repeat(50))).toMatchObject({ ok: false, reason: expect.stringContaining('40') });
    expect(toPavedName('bad name')).toMatchObject({ ok: false, reason: expect.stringContaining('not a valid Backstage name') });
  });
});

describe('planBackstageImport', () => {
  it('maps groups, users, memberships, components and systems', () => {
    const plan = planBackstageImport([
      entity('Group', 'Payments_Team', { type: 'team', profile: { displayName: 'Payments' }, children: ['payments-web'], members: ['user:default/ann'] }),
      entity('Group', 'payments-web', { type: 'sub-team', parent: 'group:default/Payments_Team', children: [] }, { title: 'Web' }),
      entity('User', 'ann', { memberOf: ['payments-web'], profile: { email: 'ann@example.com' } }),
      entity('System', 'checkout', { owner: 'group:default/Payments_Team' }),
      entity('Component', 'shop', { type: 'service', lifecycle: 'production', owner: 'group:default/Payments_Team', system: 'checkout', dependsOn: ['resource:default/orders-db'] },
        { description: 'The shop', annotations: { 'github.com/project-slug': 'acme/shop' } }),
      entity('Component', 'admin', { type: 'website', lifecycle: 'beta', owner: 'payments-web', system: 'system:default/checkout' },
        { annotations: { 'backstage.io/source-location': 'url:https://git.example.com/admin/' } }),
    ], context);

    expect(plan.teams).toEqual([
      { name: 'payments-team', title: 'Payments', entity: 'group:default/Payments_Team' },
      { name: 'payments-web', title: 'Web', entity: 'group:default/payments-web', parent: 'payments-team' },
    ]);
    expect(plan.users.map((u) => u.name)).toEqual(['ann']);
    expect(plan.memberships.map((m) => `${m.team}/${m.user}`).sort()).toEqual(['payments-team/ann', 'payments-web/ann']);
    expect(plan.services).toEqual([
      { name: 'shop', team: 'payments-team', description: 'The shop', lifecycle: 'production', repositoryUrl: 'https://github.com/acme/shop', system: 'checkout', type: 'service', entity: 'component:default/shop' },
      { name: 'admin', team: 'payments-web', description: '', lifecycle: 'experimental', repositoryUrl: 'https://git.example.com/admin/', system: 'checkout', type: 'website', entity: 'component:default/admin' },
    ]);
    expect(plan.renamed).toEqual([{ entity: 'group:default/Payments_Team', from: 'Payments_Team', to: 'payments-team' }]);
    expect(plan.dependencies).toEqual([{ from: 'component:default/shop', to: 'resource:default/orders-db' }]);
    const notes = plan.notes.map((n) => `${n.entity}: ${n.message}`);
    expect(notes).toEqual(expect.arrayContaining([
      expect.stringMatching(/admin: lifecycle beta .*recorded as experimental/),
      expect.stringMatching(/admin: system checkout is owned by payments-team, the component by payments-web/),
      expect.stringMatching(/no API token/),
    ]));
    expect(plan.skipped).toEqual([]);
  });

  it('skips what Paved cannot hold, with the reason', () => {
    const plan = planBackstageImport([
      { kind: 'Group', metadata: { name: 'x' } },
      entity('API', 'orders-api', { type: 'openapi' }),
      entity('Component', 'solo', { type: 'service', lifecycle: 'production', owner: 'user:jdoe' }),
      entity('Component', 'nameless-owner', { type: 'service', lifecycle: 'production' }),
      entity('Group', 'Team.A', { type: 'team', children: [] }),
      entity('Group', 'team-a', { type: 'team', children: [] }),
      entity('User', '1st', {}),
      'not an entity',
    ], context);
    const reasons = Object.fromEntries(plan.skipped.map((s) => [s.entity, s.reason]));
    expect(reasons['group:default/x']).toMatch(/apiVersion/);
    expect(reasons['api:default/orders-api']).toMatch(/no Paved equivalent/);
    expect(reasons['component:default/solo']).toMatch(/owner user:default\/jdoe is a user who is not among the imported entities/);
    expect(reasons['component:default/nameless-owner']).toMatch(/spec.owner is missing/);
    expect(reasons['group:default/Team.A']).toMatch(/ambiguous/);
    expect(reasons['group:default/team-a']).toMatch(/ambiguous/);
    expect(reasons['user:default/1st']).toMatch(/start with a letter/);
    expect(reasons['entity #8']).toMatch(/not an object/);
    expect(plan.teams).toEqual([]);
    expect(plan.services).toEqual([]);
  });

  it('never provisions resources: suggests a product when one matches, skips otherwise', () => {
    const plan = planBackstageImport([
      entity('Resource', 'orders-db', { type: 'postgres', owner: 'group:default/team-a', dependsOn: ['resource:default/vault'] }),
      entity('Resource', 'bucket', { type: 's3-bucket', owner: 'team-a' }),
      entity('Resource', 'exported', { type: 'database', owner: 'team-a' }, { annotations: { 'paved.dev/product': 'postgres@1.1.0' } }),
    ], context);
    expect(plan.suggestions).toEqual([{ entity: 'resource:default/orders-db', product: 'postgres', team: 'team-a' }]);
    const reasons = Object.fromEntries(plan.skipped.map((s) => [s.entity, s.reason]));
    expect(reasons['resource:default/bucket']).toMatch(/only through its products.*no product is named s3-bucket/);
    expect(reasons['resource:default/exported']).toMatch(/Paved already manages it/);
    expect(plan.dependencies).toEqual([{ from: 'resource:default/orders-db', to: 'resource:default/vault' }]);
  });

  it('counts an entity listed twice once, and takes a Paved-exported component back under its own name', () => {
    const shop = entity('Component', 'team-a-shop', { type: 'service', lifecycle: 'production', owner: 'group:default/team-a' },
      { annotations: { 'paved.dev/service': 'shop', 'paved.dev/team': 'team-a' } });
    const plan = planBackstageImport([shop, shop], context);
    expect(plan.services.map((s) => `${s.team}/${s.name}`)).toEqual(['team-a/shop']);
    expect(plan.skipped).toEqual([]);
  });

  it('maps a component owned by a user to the team of a group the user is in, and says so', () => {
    const plan = planBackstageImport([
      entity('Group', 'team-a', { type: 'team', children: [] }),
      entity('Group', 'team-b', { type: 'team', children: [], members: ['guest'] }),
      entity('User', 'guest', { memberOf: ['team-a'] }),
      entity('User', 'loner', {}),
      entity('Component', 'playback-order', { type: 'service', lifecycle: 'production', owner: 'user:guest' }),
      entity('Component', 'orphan', { type: 'service', lifecycle: 'production', owner: 'user:loner' }),
    ], context);
    expect(plan.services.map((s) => `${s.team}/${s.name}`)).toEqual(['team-a/playback-order']);
    expect(plan.ownersMapped).toEqual([{ entity: 'component:default/playback-order', user: 'user:default/guest', team: 'team-a' }]);
    expect(plan.notes.map((n) => n.message)).toContain('owner user:default/guest is in team-a, team-b; imported into team-a, the first');
    expect(plan.skipped).toEqual([{ entity: 'component:default/orphan', reason: expect.stringMatching(/user:default\/loner belongs to no group/) }]);
  });

  it('suggests the product for a conventional Resource type (database → postgres, as Paved exports it)', () => {
    const plan = planBackstageImport([entity('Resource', 'artists-db', { type: 'database', owner: 'team-a' })], context);
    expect(plan.suggestions).toEqual([{ entity: 'resource:default/artists-db', product: 'postgres', team: 'team-a' }]);
    const none = planBackstageImport([entity('Resource', 'artists-db', { type: 'database', owner: 'team-a' })], { products: ['redis'] });
    expect(none.suggestions).toEqual([]);
  });

  it('resolves against context entities (other batches of the same import) without importing them', () => {
    const org = [
      entity('Group', 'team-a', { type: 'team', children: [], members: ['ann'] }),
      entity('User', 'ann', { memberOf: ['team-a'] }),
      entity('User', 'guest', { memberOf: ['team-a'] }),
      entity('System', 'portal', { owner: 'team-a' }),
    ];
    const components = [
      entity('Component', 'web', { type: 'website', lifecycle: 'production', owner: 'team-a', system: 'portal' }),
      entity('Component', 'sdk', { type: 'library', lifecycle: 'production', owner: 'user:guest', system: 'portal' }),
    ];
    const plan = planBackstageImport(components, { ...context, context: org });
    expect(plan.teams).toEqual([]);
    expect(plan.users).toEqual([]);
    expect(plan.memberships).toEqual([]);
    expect(plan.services.map((s) => `${s.team}/${s.name}`)).toEqual(['team-a/web', 'team-a/sdk']);
    expect(plan.notes).toEqual([]); // no "system portal is not among the imported entities"
    expect(plan.importedTeams).toEqual(['team-a']);

    // A membership is planned with its user: not in the groups' batch when the user comes later.
    const groups = planBackstageImport([org[0]], { ...context, context: org.slice(1) });
    expect(groups.teams.map((t) => t.name)).toEqual(['team-a']);
    expect(groups.memberships).toEqual([]);
    const users = planBackstageImport([org[1], org[2]], { ...context, context: [org[0], org[3]] });
    expect(users.memberships.map((m) => `${m.team}/${m.user}`).sort()).toEqual(['team-a/ann', 'team-a/guest']);
    expect(users.skipped).toEqual([]);
  });
});

