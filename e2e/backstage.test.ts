/**
 * Backstage interoperability end to end, as a platform team lives it: `paved up` on a fresh
 * data folder, import an organisation's catalog-info.yaml files (2 groups, one the other's
 * child, 3 users, a system, 2 components, a resource), see the teams and services, let a team
 * member provision the service's PostgreSQL database (for real, on the machine's PostgreSQL),
 * export, check the export is a Backstage catalog with the right owners and dependencies, and
 * import the export back without duplicating anything.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  dropWithPrefix, paved, pavedOk, signUpMember, startPavedIfMachinePostgres, tempDir, watchInstance, type ServerProcess,
} from './harness.js';

const fixtures = fileURLToPath(new URL('./fixtures/backstage/', import.meta.url));
const suffix = Math.random().toString(16).slice(2, 8);
const TEAM = 'checkout-team'; // from the fixtures (Backstage name checkout_team)
const PREFIX = `pv_${TEAM.replace(/-/g, '_')}_`;

interface Entity {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}
interface Summary {
  dryRun: boolean;
  created: Record<'teams' | 'users' | 'memberships' | 'services', string[]>;
  updated: Record<'teams' | 'users' | 'memberships' | 'services', string[]>;
  skipped: { entity: string; reason: string }[];
  suggestions: { entity: string; product: string; team: string }[];
}
interface InstanceJson { name: string; product: string; status: { phase: string }; workload?: { service: string } }

function parseEntities(yamlText: string): Entity[] {
  return parseAllDocuments(yamlText).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Entity;
  }).filter(Boolean);
}

const items = <T>(json: unknown): T[] => (Array.isArray(json) ? json : (json as { items: T[] }).items) as T[];

describe('Backstage import and export', () => {
  let available = false;
  let server: ServerProcess | undefined;
  const dir = tempDir('e2e-backstage');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const dana = { PAVED_CLI_CONFIG: join(dir, 'dana.json') };
  const danaName = `dana-${suffix}`;
  const created: string[] = [];

  beforeAll(async () => {
    server = await startPavedIfMachinePostgres(dir, admin);
    available = server !== undefined;
  }, 120_000);

  afterAll(async () => {
    if (available && server) {
      for (const name of created) await paved(['delete', name, '--team', TEAM, '--wait'], dana);
    }
    await server?.stop();
    if (available) await dropWithPrefix(PREFIX);
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports an organisation, exports what it runs, and round-trips without duplicates', async (ctx) => {
    if (!available) return ctx.skip();
    const files = ['-f', join(fixtures, 'org.yaml'), '-f', join(fixtures, 'catalog-info.yaml')];

    // A dry run says what would happen and changes nothing.
    const dry = await pavedOk(['backstage', 'import', ...files, '--dry-run'], admin);
    expect(dry).toContain('Dry run: nothing was changed.');
    expect(dry).toMatch(/teams\s+2\s+0\s+0/);
    expect(items<{ name: string }>(JSON.parse(await pavedOk(['teams', '-o', 'json'], admin))).map((t) => t.name)).not.toContain(TEAM);

    // The import, then the same again: nothing new the second time.
    const summary = JSON.parse(await pavedOk(['backstage', 'import', ...files, '-o', 'json'], admin)) as Summary;
    expect(summary.created.teams.sort()).toEqual(['checkout-team', 'commerce']);
    expect(summary.created.users.sort()).toEqual(['ann', 'bob-smith', 'carla']);
    expect(summary.created.services.sort()).toEqual(['order-tracker', 'shop']);
    expect(summary.suggestions).toEqual([{ entity: 'resource:default/orders-db', product: 'postgres', team: TEAM }]);
    const again = JSON.parse(await pavedOk(['backstage', 'import', ...files, '-o', 'json'], admin)) as Summary;
    expect(again.created).toEqual({ teams: [], users: [], memberships: [], services: [] });

    // Teams with their people, services with their owners.
    const teams = await pavedOk(['teams'], admin);
    expect(teams).toMatch(/checkout-team\s+Checkout/);
    expect(teams).toMatch(/commerce\s+Commerce department/);
    const members = items<{ userName: string; role: string }>(JSON.parse(await pavedOk(['teams', 'members', TEAM, '-o', 'json'], admin)));
    expect(members.map((m) => `${m.userName}:${m.role}`).sort()).toEqual(['ann:member', 'carla:member']);
    const services = await paved(['services', '--all'], admin);
    if (services.code === 0) {
      expect(services.stdout).toMatch(/checkout-team\s+shop\s+production\s+The web shop's backend/);
      expect(services.stdout).toMatch(/commerce\s+order-tracker\s+experimental/);
    } else {
      console.warn('paved services is not available in this build; checking services through the export instead');
    }

    // A team member provisions the service's database: through its workload when that path exists.
    const user = await signUpMember({ admin, team: TEAM, user: danaName, url: server!.url, env: dana });
    const viaWorkload = await provisionForShop(server!.url, user.token, dana, dir);
    // The apply recorded the instance; its watch stream says when it is Ready.
    const requested = items<InstanceJson>(JSON.parse(await pavedOk(['list', '--team', TEAM, '-o', 'json'], dana))).find((i) => i.product === 'postgres');
    expect(requested, 'a postgres instance for the shop').toBeDefined();
    const instance = (await watchInstance(dana, TEAM, requested!.name, (i) => i.status.phase === 'Ready', 90_000))!;
    created.push(instance.name);

    // The member's export: a Backstage catalog of their team.
    const exported = parseEntities(await pavedOk(['backstage', 'export'], dana));
    const byKey = new Map(exported.map((e) => [`${e.kind}:${e.metadata.name}`, e]));
    expect(byKey.get(`Group:${TEAM}`)?.spec).toMatchObject({ type: 'team', children: [] });
    expect(byKey.has('Group:commerce')).toBe(false); // not dana's team
    const shop = byKey.get('Component:shop')!;
    expect(shop.spec).toMatchObject({ type: 'service', lifecycle: 'production', owner: `group:default/${TEAM}`, system: 'checkout' });
    expect(shop.metadata.annotations).toMatchObject({ 'backstage.io/source-location': 'url:https://github.com/example-org/shop' });
    const resource = exported.find((e) => e.kind === 'Resource' && e.metadata.annotations?.['paved.dev/instance'] === instance.name)!;
    expect(resource.spec).toMatchObject({ type: 'database', owner: `group:default/${TEAM}` });
    expect(resource.metadata.annotations).toMatchObject({ 'paved.dev/product': expect.stringMatching(/^postgres@\d+\.\d+\.\d+$/), 'paved.dev/phase': 'Ready' });
    if (viaWorkload) expect(shop.spec.dependsOn).toContain(`resource:default/${resource.metadata.name}`);
    for (const e of exported) expect(e.metadata.name).toMatch(/^[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$/);

    // The admin's export holds both teams' services; importing it back duplicates nothing.
    const everything = await pavedOk(['backstage', 'export', '-o', 'yaml'], admin);
    const components = parseEntities(everything).filter((e) => e.kind === 'Component');
    expect(components.map((c) => `${c.metadata.name}:${c.spec.owner}`).sort()).toEqual(['order-tracker:group:default/commerce', `shop:group:default/${TEAM}`]);
    const file = join(dir, 'catalog-paved.yaml');
    writeFileSync(file, everything);
    const teamsBefore = items(JSON.parse(await pavedOk(['teams', '-o', 'json'], admin))).length;
    const back = JSON.parse(await pavedOk(['backstage', 'import', '-f', file, '-o', 'json'], admin)) as Summary;
    expect(back.created).toEqual({ teams: [], users: [], memberships: [], services: [] });
    expect(back.updated.services).toEqual([]);
    expect(back.skipped.filter((s) => s.entity.startsWith('resource:')).every((s) => /Paved already manages it/.test(s.reason))).toBe(true);
    expect(items(JSON.parse(await pavedOk(['teams', '-o', 'json'], admin))).length).toBe(teamsBefore);

    // Importing is for platform admins only.
    const refused = await paved(['backstage', 'import', ...files], dana);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/platform admins/);
  }, 180_000);
});

/**
 * Gives the service `shop` a PostgreSQL database. Through its Score workload when this build
 * has it (the CLI's `paved apply --env`, else the workload route of the API), so the instance
 * belongs to the service; otherwise as a plain instance of the team. Returns whether it used the workload.
 */
async function provisionForShop(url: string, token: string, env: NodeJS.ProcessEnv, dir: string): Promise<boolean> {
  const score = {
    apiVersion: 'score.dev/v1b1',
    metadata: { name: 'shop' },
    containers: { main: { image: '.', variables: { DATABASE_URL: '${resources.db.url}' } } },
    resources: { db: { type: 'postgres' } },
  };
  const help = await paved(['apply', '--help'], env);
  if (help.stdout.includes('--env')) {
    const file = join(dir, 'score.yaml');
    writeFileSync(file, JSON.stringify(score));
    await pavedOk(['apply', '-f', file, '--env', 'dev', '--team', TEAM], env);
    return true;
  }
  const res = await fetch(`${url}/api/v1/teams/${TEAM}/services/shop/environments/dev/workload`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ score }),
  });
  if (res.ok) return true;
  console.warn(`the workload route answered ${res.status}; creating a plain instance instead`);
  await pavedOk(['create', 'postgres', 'orders-db', '--team', TEAM, '--wait'], env);
  return false;
}
