import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '@paved/model';
import { createColors } from '../colors.js';
import { formatImportSummary, readBackstageFiles } from './backstage.js';

const fixtures = new URL('../../../../e2e/fixtures/backstage/', import.meta.url).pathname;

describe('readBackstageFiles', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paved-backstage-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads every document of every file in a folder', async () => {
    const entities = await readBackstageFiles([fixtures]);
    expect(entities.map((e) => `${e.kind}:${(e.metadata as { name: string }).name}`)).toEqual([
      'System:checkout', 'Component:shop', 'Component:order_tracker', 'Resource:orders-db',
      'Group:commerce', 'Group:checkout_team', 'User:ann', 'User:bob.smith', 'User:carla',
    ]);
  });

  it('names the file and line of every problem and sends nothing', async () => {
    const file = join(dir, 'catalog-info.yaml');
    await writeFile(file, [
      'apiVersion: backstage.io/v1alpha1', 'kind: Component', 'metadata: { name: ok }', '---',
      'apiVersion: paved.dev/v1alpha1', 'kind: Product', 'metadata: { name: nope }', '---',
      'apiVersion: backstage.io/v1alpha1', 'kind: Group', 'metadata: {}', '---', '',
    ].join('\n'));
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'apiVersion: backstage.io/v1alpha1\nkind: [unclosed\n');
    const error = await readBackstageFiles([file, broken]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const issues = (error as InputError).issues.map((i) => `${i.path.replace(dir + '/', '')}: ${i.message}`);
    expect(issues[0]).toBe('catalog-info.yaml:5: apiVersion must be backstage.io/v1alpha1');
    expect(issues[1]).toBe('catalog-info.yaml:9: metadata.name is required');
    expect(issues[2]).toMatch(/^broken\.yaml:\d+:\d+: /);
    expect((error as InputError).code).toBe('backstage_file_invalid');
  });
});

describe('formatImportSummary', () => {
  it('shows counts and every skipped entity with its reason', () => {
    const none = { teams: [], users: [], memberships: [], services: [] };
    const text = formatImportSummary({
      dryRun: true, created: { ...none, teams: ['a', 'b'] }, updated: none, unchanged: { ...none, services: ['shop'] },
      skipped: [{ entity: 'api:default/x', reason: 'kind API has no Paved equivalent' }], renamed: [], notes: [],
      suggestions: [{ entity: 'resource:default/db', product: 'postgres', team: 'a' }], dependencies: [],
    }, createColors(false));
    expect(text).toContain('Dry run: nothing was changed.');
    expect(text).toMatch(/teams\s+2\s+0\s+0/);
    expect(text).toMatch(/services\s+0\s+0\s+1/);
    expect(text).toContain('api:default/x: kind API has no Paved equivalent');
    expect(text).toContain('paved create postgres NAME --team a');
  });
});
