import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createColors } from '../colors.js';
import { readBackstageCatalog } from '../backstage-catalog.js';
import { emptySummary, importBatches, mergeSummaries } from '../backstage-import.js';
import { formatImportSummary, readingLine } from './backstage.js';

const fixtures = new URL('../../../../e2e/fixtures/backstage/', import.meta.url).pathname;
const wild = new URL('../../../../fixtures/backstage/', import.meta.url).pathname;
const names = (entities: Record<string, unknown>[]) => entities.map((e) => `${e.kind}:${(e.metadata as { name: string }).name}`);

describe('readBackstageCatalog', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paved-backstage-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads every document of every file in a folder', async () => {
    const read = await readBackstageCatalog([fixtures]);
    expect(names(read.entities)).toEqual([
      'System:checkout', 'Component:shop', 'Component:order_tracker', 'Resource:orders-db',
      'Group:commerce', 'Group:checkout_team', 'User:ann', 'User:bob.smith', 'User:carla',
    ]);
    expect(read.skipped).toEqual([]);
  });

  it("follows Backstage's own root locations (acme-corp.yaml → acme/org.yaml → 8 group files; all-components.yaml → 13 components)", async () => {
    const read = await readBackstageCatalog([join(wild, 'catalog-model-examples/acme-corp.yaml'), join(wild, 'catalog-model-examples/all-components.yaml')]);
    expect(read.locations).toBe(3);
    expect(read.files).toBe(1 + 1 + 8 + 1 + 13);
    const kinds = read.entities.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'Group')).toHaveLength(9);
    expect(kinds.filter((k) => k === 'User')).toHaveLength(17);
    expect(kinds.filter((k) => k === 'Component')).toHaveLength(13);
    expect(read.skipped).toEqual([]);
  });

  it('skips what is not a catalog entity with the reason and reads the rest (README, package.json, a Template)', async () => {
    const read = await readBackstageCatalog([join(wild, 'demo'), join(wild, 'catalog-model-examples/README.md')]);
    expect(names(read.entities)).toEqual(['Component:backstage-demo', 'API:demo-graphql']);
    const reasons = read.skipped.map((s) => `${s.entity.replace(wild, '')}: ${s.reason}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^demo\/demo-template\/template\/template\.yaml:3: kind Template \(scaffolder\.backstage\.io\/v1beta3\) has no Paved equivalent/),
      'demo/package.json:1: not a Backstage entity (no apiVersion)',
      'catalog-model-examples/README.md: not a YAML or JSON file (catalog files are .yaml, .yml or .json)',
    ]);
  });

  it('names the file and line of a broken document and still reads the others', async () => {
    const file = join(dir, 'catalog-info.yaml');
    await writeFile(file, [
      'apiVersion: backstage.io/v1alpha1', 'kind: Component', 'metadata: { name: ok }', '---',
      'apiVersion: paved.dev/v1alpha1', 'kind: Product', 'metadata: { name: nope }', '---',
      'apiVersion: backstage.io/v1alpha1', 'kind: Group', 'metadata: {}', '---', '',
    ].join('\n'));
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'apiVersion: backstage.io/v1alpha1\nkind: [unclosed\n');
    const read = await readBackstageCatalog([file, broken]);
    expect(names(read.entities)).toEqual(['Component:ok']);
    const skipped = read.skipped.map((s) => `${s.entity.replace(dir + '/', '')}: ${s.reason}`);
    expect(skipped[0]).toBe('catalog-info.yaml:5: kind Product (paved.dev/v1alpha1) has no Paved equivalent: Paved imports backstage.io Group, User, Component, System and Resource');
    expect(skipped[1]).toBe('catalog-info.yaml:9: metadata.name is required');
    expect(skipped[2]).toMatch(/^broken\.yaml:\d+:\d+: not valid YAML/);
  });

  it('skips a document whose aliases expand without end (a "billion laughs"), alone or beside a broken one, and reads the rest', async () => {
    // 1 KB of YAML that is 10^8 strings once its aliases are expanded: sent as JSON it took the CLI's whole memory.
    const laughs = ['  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 8; i++) laughs.push(`  l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    const bomb = ['apiVersion: backstage.io/v1alpha1', 'kind: Component', 'metadata: { name: bomb }', 'spec:', '  type: service', ...laughs].join('\n');
    const ok = 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: ok }\n';
    const alone = join(dir, 'laughs.yaml');
    await writeFile(alone, `${ok}---\n${bomb}\n`);
    // Beside a document that is not an entity, the file is read again with positions (the slower parser).
    const mixed = join(dir, 'laughs-mixed.yaml');
    await writeFile(mixed, `${ok.replace('name: ok', 'name: ok2')}---\n${bomb}\n---\nnot: an entity\n`);
    const read = await readBackstageCatalog([alone, mixed]);
    expect(names(read.entities)).toEqual(['Component:ok', 'Component:ok2']);
    expect(JSON.stringify(read.entities).length).toBeLessThan(1000);
    const skipped = read.skipped.map((s) => `${s.entity.replace(dir + '/', '')}: ${s.reason}`);
    expect(skipped).toEqual([
      'laughs.yaml:5: its aliases expand too far (a YAML "billion laughs"); not read',
      'laughs-mixed.yaml:5: its aliases expand too far (a YAML "billion laughs"); not read',
      expect.stringMatching(/^laughs-mixed\.yaml:\d+: not a Backstage entity/),
    ]);
  });

  it('follows relative and glob targets once (cycles too), refuses paths that leave the folder, reports URLs', async () => {
    const root = join(dir, 'catalog');
    await mkdir(join(root, 'teams'), { recursive: true });
    const location = (name: string, targets: string[]) => `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: { name: ${name} }\nspec:\n  targets: [${targets.map((t) => `'${t}'`).join(', ')}]\n`;
    await writeFile(join(root, 'all.yaml'), location('all', ['./teams/*.yaml', './all.yaml', '../outside.yaml', 'https://example.com/catalog.yaml', './missing.yaml']));
    await writeFile(join(root, 'teams', 'a.yaml'), 'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: a }\nspec: { type: team, children: [] }\n');
    await writeFile(join(root, 'teams', 'b.yaml'), location('back', ['../all.yaml']));
    await writeFile(join(dir, 'outside.yaml'), 'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: secret }\n');
    const read = await readBackstageCatalog([join(root, 'all.yaml')]);
    expect(names(read.entities)).toEqual(['Group:a']);
    expect(read.files).toBe(3);
    const reasons = read.skipped.map((s) => s.reason);
    expect(reasons).toEqual([
      expect.stringMatching(/^target \.\.\/outside\.yaml is outside .*; not read$/),
      'target https://example.com/catalog.yaml is a URL: not fetched (paved backstage import --follow-urls fetches URL targets)',
      'target ./missing.yaml does not exist',
    ]);
  });
});

describe('readBackstageCatalog: skipped locations', () => {
  it('names the file and line of a Location whose target is skipped, in a file the fast parser read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paved-backstage-lines-'));
    try {
      const file = join(dir, 'all.yaml');
      await writeFile(file, [
        'apiVersion: backstage.io/v1alpha1', 'kind: Group', 'metadata: { name: a }', 'spec: { type: team, children: [] }', '---',
        '# the components', 'apiVersion: backstage.io/v1alpha1', 'kind: Location', 'metadata: { name: parts }', 'spec:', '  targets: [./missing.yaml, https://example.com/c.yaml]', '',
      ].join('\n'));
      const read = await readBackstageCatalog([file]);
      expect(names(read.entities)).toEqual(['Group:a']);
      expect(read.skipped.map((s) => s.entity.replace(dir + '/', ''))).toEqual(['location all.yaml:7', 'location all.yaml:7']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('readBackstageCatalog --follow-urls', () => {
  it('fetches URL targets when allowed, and resolves their relative targets against the URL', async () => {
    const files: Record<string, string> = {
      '/catalog/all.yaml': 'apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: { name: remote }\nspec:\n  targets: [./team.yaml, ./gone.yaml]\n',
      '/catalog/team.yaml': 'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: remote-team }\nspec: { type: team, children: [] }\n',
    };
    const server = createServer((req, res) => {
      const body = files[req.url ?? ''];
      res.writeHead(body ? 200 : 404).end(body ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = await mkdtemp(join(tmpdir(), 'paved-backstage-url-'));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/catalog/all.yaml`;
      const root = join(dir, 'root.yaml');
      await writeFile(root, `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: { name: root }\nspec: { type: url, target: '${url}' }\n`);
      const read = await readBackstageCatalog([root], { followUrls: true });
      expect(names(read.entities)).toEqual(['Group:remote-team']);
      expect(read.skipped).toEqual([{ entity: url.replace('all.yaml', 'gone.yaml'), reason: 'fetching it answered HTTP 404' }]);
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('importBatches', () => {
  const e = (kind: string, name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, description: 'long text' }, spec });
  it('sends a small catalog as it is, a large one in batches: Groups first, each batch with the rest of the organisation as context', () => {
    const small = [e('Component', 'x'), e('Group', 'g')];
    expect(importBatches(small)).toEqual([{ entities: small, context: [] }]);
    const catalog = [e('Component', 'c1', { owner: 'g1' }), e('User', 'u1', { memberOf: ['g1'], profile: { email: 'x' } }), e('Group', 'g1', { parent: 'g0', profile: {} }), e('System', 's1', { owner: 'g1' }), e('API', 'a1')];
    const batches = importBatches(catalog, 2);
    expect(batches.map((b) => names(b.entities))).toEqual([['Group:g1', 'User:u1'], ['System:s1', 'Component:c1'], ['API:a1']]);
    expect(batches[1]!.context).toEqual([
      { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'g1' }, spec: { parent: 'g0' } },
      { apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name: 'u1' }, spec: { memberOf: ['g1'] } },
    ]);
    expect(names(batches[2]!.context)).toEqual(['Group:g1', 'User:u1', 'System:s1']);
  });

  it('merges the summaries of the batches, keeping a note every batch makes once', () => {
    const one = emptySummary(false);
    one.created.teams.push('a');
    one.notes.push({ entity: 'user', message: 'no token' });
    const two = emptySummary(false);
    two.created.services.push('s');
    two.notes.push({ entity: 'user', message: 'no token' });
    const merged = mergeSummaries(one, two);
    expect(merged.created).toMatchObject({ teams: ['a'], services: ['s'] });
    expect(merged.notes).toHaveLength(1);
  });
});

describe('formatImportSummary', () => {
  it("counts every skip it lists, the reader's and the server's; the reading line counts the reader's only, and says so", async () => {
    const read = await readBackstageCatalog([join(wild, 'demo')]);
    expect(readingLine(read)).toBe('Read 3 files (0 locations followed): 2 entities, 2 skipped while reading.\n');
    const summary = emptySummary(false);
    summary.skipped.push({ entity: 'api:default/demo-graphql', reason: 'kind API has no Paved equivalent' });
    summary.skipped.unshift(...read.skipped);
    const text = formatImportSummary(summary, createColors(false));
    expect(text).toContain('Skipped (3):\n');
    expect(text.split('\n').filter((line) => line.startsWith('  ') && line.includes(': '))).toHaveLength(3);
  });

  it('shows counts and every skipped entity with its reason', () => {
    const none = { teams: [], users: [], memberships: [], services: [] };
    const text = formatImportSummary({
      dryRun: true, created: { ...none, teams: ['a', 'b'] }, updated: none, unchanged: { ...none, services: ['shop'] },
      skipped: [{ entity: 'api:default/x', reason: 'kind API has no Paved equivalent' }], renamed: [], notes: [],
      suggestions: [{ entity: 'resource:default/db', product: 'postgres', team: 'a' }], dependencies: [],
      ownersMapped: [{ entity: 'component:default/c', user: 'user:default/guest', team: 'a' }],
    }, createColors(false));
    expect(text).toContain('Dry run: nothing was changed.');
    expect(text).toMatch(/teams\s+2\s+0\s+0/);
    expect(text).toMatch(/services\s+0\s+0\s+1/);
    expect(text).toContain('Skipped (1):\n  api:default/x: kind API has no Paved equivalent');
    expect(text).toContain('paved create postgres NAME --team a');
    expect(text).toContain('component:default/c: user:default/guest → team a');
  });
});
