import { fileURLToPath } from 'node:url';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { parseScoreText, renderTemplateText } from '@paved/model';
import { loadTemplates } from './loader.js';

/** The golden paths this repository ships (templates/). */
const REPOSITORY_TEMPLATES = fileURLToPath(new URL('../../../../templates', import.meta.url));

const SCORE = 'apiVersion: score.dev/v1b1\nmetadata:\n  name: "{{service}}"\ncontainers:\n  app:\n    image: .\nresources:\n  db:\n    type: postgres\n';
const MANIFEST = (name: string, extra = '') => `apiVersion: paved.dev/v1alpha1
kind: Template
metadata:
  name: ${name}
  title: A ${name}
  description: For tests.
spec:
  resources: [postgres]
${extra}`;

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dirs = [];
});

async function templatesDir(templates: Record<string, Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paved-templates-'));
  dirs.push(dir);
  for (const [name, files] of Object.entries(templates)) {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name, path)), { recursive: true });
      await writeFile(join(dir, name, path), content);
    }
  }
  return dir;
}

describe('loadTemplates', () => {
  it('loads the templates this repository ships, with no problem', async () => {
    const { templates, problems } = await loadTemplates(REPOSITORY_TEMPLATES);
    expect(problems).toEqual([]);
    const postgres = templates.find((t) => t.summary.name === 'node-postgres');
    expect(postgres?.summary.resources).toEqual(['postgres']);
    expect(postgres?.files.map((f) => f.path).sort()).toEqual(['.gitignore', 'README.md', 'package.json', 'score.yaml', 'server.js']);
    expect(templates.map((t) => t.summary.name)).toContain('node-redis');
  });

  it('renders the shipped templates to files that parse: JavaScript, package.json, Score', async () => {
    const { templates } = await loadTemplates(REPOSITORY_TEMPLATES);
    for (const template of templates) {
      const values: Record<string, string> = { service: 'shop', team: 'orders', port: '3001' };
      for (const p of template.parameters) values[p.name] = p.default ?? 'x';
      const rendered = Object.fromEntries(template.files.map((f) => [f.path, renderTemplateText(f.content, values, f.path)]));
      expect(JSON.parse(rendered['package.json']!).name, template.summary.name).toBe('shop');
      expect(parseScoreText(rendered['score.yaml']!, 'score.yaml').workload.metadata.name).toBe('shop');
      const dir = await templatesDir({ [template.summary.name]: { 'server.js': rendered['server.js']! } });
      execFileSync(process.execPath, ['--check', join(dir, template.summary.name, 'server.js')]); // throws on a syntax error
      expect(rendered['README.md']).toContain('paved run -f score.yaml --env dev -- npm start');
    }
  });

  it('reads files as text, with nested paths, parameters and the executable bit', async () => {
    const dir = await templatesDir({
      good: {
        'template.yaml': MANIFEST('good', '  parameters:\n    - { name: greeting, description: What to say, default: 3 }\n'),
        'files/score.yaml': SCORE,
        'files/bin/{{service}}-start.sh': '#!/bin/sh\necho {{greeting}} from {{team}} on {{port}}\n',
      },
    });
    await chmod(join(dir, 'good/files/bin/{{service}}-start.sh'), 0o755);
    const { templates, problems } = await loadTemplates(dir);
    expect(problems).toEqual([]);
    expect(templates[0]!.parameters).toEqual([{ name: 'greeting', description: 'What to say', default: '3' }]);
    expect(templates[0]!.files).toContainEqual({ path: 'bin/{{service}}-start.sh', content: '#!/bin/sh\necho {{greeting}} from {{team}} on {{port}}\n', executable: true });
    expect(templates[0]!.files.find((f) => f.path === 'score.yaml')?.executable).toBeUndefined();
  });

  it('reports a broken template with the file and line, skips it and still loads the others', async () => {
    const dir = await templatesDir({
      good: { 'template.yaml': MANIFEST('good'), 'files/score.yaml': SCORE },
      'bad-version': { 'template.yaml': MANIFEST('bad-version').replace('paved.dev/v1alpha1', 'v0'), 'files/score.yaml': SCORE },
      'bad-yaml': { 'template.yaml': 'apiVersion: [\n', 'files/score.yaml': SCORE },
      'bad-param': { 'template.yaml': MANIFEST('bad-param', '  parameters:\n    - { name: service, description: clash }\n'), 'files/score.yaml': SCORE },
      'typo': { 'template.yaml': MANIFEST('typo'), 'files/score.yaml': SCORE, 'files/README.md': 'Hello {{servce}}\n' },
      'no-score': { 'template.yaml': MANIFEST('no-score'), 'files/README.md': 'hi' },
      'other-type': { 'template.yaml': MANIFEST('other-type'), 'files/score.yaml': SCORE.replace('type: postgres', 'type: redis') },
      'wrong-name': { 'template.yaml': MANIFEST('not-the-folder'), 'files/score.yaml': SCORE },
      'no-manifest': { 'files/score.yaml': SCORE },
      'bad-score': { 'template.yaml': MANIFEST('bad-score'), 'files/score.yaml': SCORE.replace('containers:', 'containerz:') },
    });
    const { templates, problems } = await loadTemplates(dir);
    expect(templates.map((t) => t.summary.name)).toEqual(['good']);
    const about = (name: string) => problems.filter((p) => p.startsWith(`${dir}/${name}/`)).join('\n');
    expect(about('bad-version')).toBe(`${dir}/bad-version/template.yaml:1: apiVersion: must be paved.dev/v1alpha1`);
    expect(about('bad-yaml')).toMatch(/template\.yaml:\d+: /);
    expect(about('bad-param')).toContain('template.yaml:10: spec.parameters.0.name: is built in');
    expect(about('typo')).toContain('files/README.md: uses {{servce}}');
    expect(about('no-score')).toContain('score.yaml: missing');
    expect(about('other-type')).toContain('resource types redis are not listed');
    expect(about('wrong-name')).toContain('must be the folder\'s name "wrong-name"');
    expect(about('no-manifest')).toContain('template.yaml: missing');
    expect(about('bad-score')).toContain('score.yaml: not a valid Score file once rendered');
    expect(problems).toHaveLength(9);
  });

  it('refuses symbolic links, which could hand out files from outside the template', async () => {
    const dir = await templatesDir({ linked: { 'template.yaml': MANIFEST('linked'), 'files/score.yaml': SCORE } });
    await symlink('/etc/passwd', join(dir, 'linked/files/passwd'));
    const { templates, problems } = await loadTemplates(dir);
    expect(templates).toEqual([]);
    expect(problems).toEqual([`${dir}/linked/files/passwd: only regular files and folders are allowed (symbolic links are not followed)`]);
  });

  it('reports a missing templates folder instead of failing', async () => {
    const { templates, problems } = await loadTemplates('/nonexistent/paved-templates');
    expect(templates).toEqual([]);
    expect(problems[0]).toContain('/nonexistent/paved-templates: templates folder cannot be read (ENOENT)');
  });
});
