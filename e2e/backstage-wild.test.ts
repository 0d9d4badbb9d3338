/**
 * Backstage catalogs as teams have them, end to end through the CLI against `paved up`:
 * Backstage's own example catalog and demo repository (fixtures/backstage/, unchanged) imported
 * from their root locations, with the README, the package.json, the scaffolder Template and the
 * API skipped with reasons; then a generated catalog larger than one request, imported in one
 * command with its context kept across batches; then the export read back.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { paved, pavedOk, startPavedIfMachinePostgres, tempDir, type ServerProcess } from './harness.js';

const wild = fileURLToPath(new URL('../fixtures/backstage/', import.meta.url));
const examples = join(wild, 'catalog-model-examples');

interface Summary {
  created: Record<'teams' | 'users' | 'memberships' | 'services', string[]>;
  updated: Record<'teams' | 'users' | 'memberships' | 'services', string[]>;
  skipped: { entity: string; reason: string }[];
  notes: { entity: string; message: string }[];
  suggestions: { entity: string; product: string; team: string }[];
  ownersMapped: { entity: string; user: string; team: string }[];
}
interface Entity { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: Record<string, unknown> }

describe('Backstage catalogs from the wild', () => {
  let server: ServerProcess | undefined;
  const dir = tempDir('e2e-backstage-wild');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };

  beforeAll(async () => {
    server = await startPavedIfMachinePostgres(dir, admin);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("imports Backstage's example catalog from its root locations, skipping what is not an entity with the reason", async (ctx) => {
    if (!server) return ctx.skip();
    const files = ['-f', join(examples, 'acme-corp.yaml'), '-f', join(examples, 'all-components.yaml'), '-f', join(examples, 'all-resources.yaml'),
      '-f', join(examples, 'systems'), '-f', join(examples, 'README.md'), '-f', join(wild, 'demo')];
    const run = await paved(['backstage', 'import', ...files, '-o', 'json'], admin);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('4 locations followed');
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.created.teams.sort()).toEqual(['acme-corp', 'backstage', 'boxoffice', 'infrastructure', 'team-a', 'team-b', 'team-c', 'team-d', 'team-e']);
    expect(summary.created.users).toHaveLength(15); // 17 users; the two "guest"s (two namespaces) are ambiguous
    expect(summary.created.services.sort()).toEqual([
      'artist-lookup', 'example', 'playback-order', 'playback-sdk', 'podcast-api', 'queue-proxy', 'shuffle-api',
      'wayback-archive', 'wayback-archive-ingestion', 'wayback-archive-storage', 'wayback-search', 'www-artist',
    ]);
    // owner: user:guest → guest's team (memberOf: [team-a]).
    expect(summary.ownersMapped.map((o) => `${o.entity}→${o.team}`).sort()).toEqual([
      'component:default/example→team-a', 'component:default/playback-order→team-a', 'component:default/shuffle-api→team-a',
    ]);
    expect(summary.suggestions).toEqual([{ entity: 'resource:default/artists-db', product: 'postgres', team: 'team-a' }]);
    const reasons = summary.skipped.map((s) => `${s.entity.replace(wild, '')}: ${s.reason}`);
    expect(reasons).toEqual(expect.arrayContaining([
      'catalog-model-examples/README.md: not a YAML or JSON file (catalog files are .yaml, .yml or .json)',
      'demo/package.json:1: not a Backstage entity (no apiVersion)',
      expect.stringMatching(/^demo\/demo-template\/template\/template\.yaml:3: kind Template/),
      expect.stringMatching(/^api:default\/demo-graphql: kind API has no Paved equivalent/),
      expect.stringMatching(/^component:default\/petstore: owner team sre does not exist/),
    ]));
    // The system file was imported beside the components: no note says it is missing.
    expect(summary.notes.filter((n) => n.message.includes('artist-engagement-portal'))).toEqual([]);
    expect(summary.notes.some((n) => n.message.includes('paved tokens create'))).toBe(true);
    expect(JSON.stringify(summary.notes)).not.toMatch(/\/api\/v1/);

    const listed = await pavedOk(['services', '--all'], admin);
    expect(listed).toMatch(/team-a\s+playback-order\s+production/);
    expect(listed).toMatch(/team-d\s+wayback-archive-ingestion\s+production/);

    // Again: nothing new.
    const again = JSON.parse(await pavedOk(['backstage', 'import', ...files, '-o', 'json'], admin)) as Summary;
    expect(again.created).toEqual({ teams: [], users: [], memberships: [], services: [] });
    expect(again.updated.services).toEqual([]);
  }, 120_000);

  it('imports a catalog larger than one request in one command, with progress and the context kept across files', async (ctx) => {
    if (!server) return ctx.skip();
    const folder = join(dir, 'big');
    mkdirSync(folder, { recursive: true });
    const entity = (kind: string, name: string, spec: Record<string, unknown>) => stringify({ apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name }, spec });
    const write = (file: string, docs: string[]) => writeFileSync(join(folder, file), docs.join('---\n'));
    write('org.yaml', Array.from({ length: 20 }, (_, i) => entity('Group', `big-team-${i}`, { type: 'team', children: [] })));
    write('people.yaml', Array.from({ length: 200 }, (_, i) => entity('User', `big.user.${i}`, { memberOf: [`big-team-${i % 20}`] })));
    write('systems.yaml', Array.from({ length: 50 }, (_, i) => entity('System', `big-system-${i}`, { owner: `big-team-${i % 20}` })));
    for (let f = 0; f < 3; f++) {
      write(`components-${f}.yaml`, Array.from({ length: 2000 }, (_, k) => {
        const i = f * 2000 + k;
        return entity('Component', `big-service-${i}`, { type: 'service', lifecycle: 'production', owner: i % 10 === 0 ? `user:big.user.${i % 200}` : `big-team-${i % 20}`, system: `big-system-${i % 50}` });
      }));
    }
    write('all.yaml', [entity('Location', 'big', { targets: ['./org.yaml', './people.yaml', './systems.yaml', './components-0.yaml', './components-1.yaml', './components-2.yaml'] })]);

    const run = await paved(['backstage', 'import', '-f', join(folder, 'all.yaml'), '-o', 'json'], admin);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('6,270 entities');
    expect(run.stderr).toMatch(/imported 6,270\/6,270 \(batch 2\/2\)/);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.created.teams).toHaveLength(20);
    expect(summary.created.users).toHaveLength(200);
    expect(summary.created.memberships).toHaveLength(200);
    expect(summary.created.services).toHaveLength(6000);
    expect(summary.ownersMapped).toHaveLength(600);
    expect(summary.skipped).toEqual([]);
    expect(summary.notes.filter((n) => n.message.includes('not among the imported entities'))).toEqual([]);

    // `paved services --all` prints every page, not the first hundred.
    const all = JSON.parse(await pavedOk(['services', '--all', '-o', 'json'], admin)) as { name: string }[];
    expect(all.filter((s) => s.name.startsWith('big-service-'))).toHaveLength(6000);
  }, 180_000);

  it('exports what it imported so that every reference resolves, and the export imports back without duplicates', async (ctx) => {
    if (!server) return ctx.skip();
    const yamlText = await pavedOk(['backstage', 'export'], admin);
    const exported = parseAllDocuments(yamlText).map((d) => d.toJS() as Entity);
    const refs = new Set(exported.map((e) => `${e.kind.toLowerCase()}:default/${e.metadata.name}`));
    const unresolved: string[] = [];
    for (const e of exported) {
      for (const key of ['owner', 'system', 'parent']) {
        const value = e.spec[key];
        if (typeof value !== 'string') continue;
        const ref = value.includes(':') ? value : `${key === 'owner' || key === 'parent' ? 'group' : key}:default/${value}`;
        if (!refs.has(ref)) unresolved.push(`${e.kind}:${e.metadata.name} ${key} ${value}`);
      }
      for (const key of ['dependsOn', 'children', 'memberOf']) {
        for (const value of (e.spec[key] as string[] | undefined) ?? []) {
          const ref = value.includes(':') ? value : `group:default/${value}`;
          if (!refs.has(ref)) unresolved.push(`${e.kind}:${e.metadata.name} ${key} ${value}`);
        }
      }
    }
    expect(unresolved).toEqual([]);
    const byName = new Map(exported.map((e) => [`${e.kind}:${e.metadata.name}`, e]));
    expect(byName.get('Component:playback-order')?.spec).toMatchObject({ owner: 'group:default/team-a', system: 'audio-playback' });
    expect(byName.has('System:artist-engagement-portal')).toBe(true);
    // Component types and the Group hierarchy come back as Backstage had them.
    expect(byName.get('Component:playback-sdk')?.spec.type).toBe('library');
    expect(byName.get('Component:www-artist')?.spec.type).toBe('website');
    expect(byName.get('Group:team-a')?.spec).toMatchObject({ parent: 'group:default/backstage' });
    expect(byName.get('Group:boxoffice')?.spec.children).toEqual(['group:default/team-c', 'group:default/team-d', 'group:default/team-e']);
    expect(byName.has('User:janelle-dawe')).toBe(true);

    const file = join(dir, 'export.yaml');
    writeFileSync(file, yamlText);
    const back = JSON.parse(await pavedOk(['backstage', 'import', '-f', file, '-o', 'json'], admin)) as Summary;
    expect(back.created).toEqual({ teams: [], users: [], memberships: [], services: [] });
    expect(back.updated.services).toEqual([]);
  }, 120_000);
});
