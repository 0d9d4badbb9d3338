import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { startHarness, type Caller, type Harness } from '../test-harness.js';

const SCORE = 'apiVersion: score.dev/v1b1\nmetadata:\n  name: "{{service}}"\ncontainers:\n  app:\n    image: .\nresources:\n  db:\n    type: postgres\n';
const manifest = (name: string) => `apiVersion: paved.dev/v1alpha1
kind: Template
metadata: { name: ${name}, title: Title of ${name}, description: For tests }
spec:
  resources: [postgres]
  parameters: [{ name: greeting, description: What to say, default: hello }]
`;

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

eachStore('API templates', (open) => {
  let h: Harness;
  let dir: string;
  let newcomer: Caller; // in no team at all: templates need no membership
  const warnings: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paved-api-templates-'));
    await write(dir, {
      'web/template.yaml': manifest('web'),
      'web/files/score.yaml': SCORE,
      'web/files/README.md': '# {{service}}\n{{greeting}}\n',
      'broken/template.yaml': manifest('broken').replace('kind: Template', 'kind: Tempalte'),
      'broken/files/score.yaml': SCORE,
    });
    h = await startHarness(await open(), {
      templatesDir: dir,
      logger: { level: 'warn', stream: { write: (line: string) => warnings.push(line) } },
    });
    newcomer = await h.user('newcomer');
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the templates that load to any signed-in user, leaving out and logging a broken one once', async () => {
    const res = await h.call(newcomer, 'GET', '/api/v1/templates');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([{ name: 'web', title: 'Title of web', description: 'For tests', resources: ['postgres'] }]);
    await h.call(newcomer, 'GET', '/api/v1/templates');
    const logged = warnings.filter((line) => line.includes('template skipped'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('broken/template.yaml:2: kind: must be Template');
  });

  it('serves a template with its parameters and unrendered files', async () => {
    const res = await h.call(newcomer, 'GET', '/api/v1/templates/web');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.summary.name).toBe('web');
    expect(body.parameters).toEqual([{ name: 'greeting', description: 'What to say', default: 'hello' }]);
    expect(body.files).toContainEqual({ path: 'README.md', content: '# {{service}}\n{{greeting}}\n' });
  });

  it('answers 404 template_not_found naming the templates that exist', async () => {
    const res = await h.call(newcomer, 'GET', '/api/v1/templates/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'template_not_found', errors: [{ path: 'template' }] });
    expect(res.json().detail).toContain('available: web');
  });

  it('answers 503 template_invalid for a broken template, saying what is wrong without server paths', async () => {
    const res = await h.call(newcomer, 'GET', '/api/v1/templates/broken');
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('template_invalid');
    expect(res.json().detail).toContain('broken/template.yaml:2: kind: must be Template');
    expect(res.json().detail).not.toContain(dir);
  });

  it('serves a template a platform team adds while the server runs', async () => {
    await write(dir, { 'later/template.yaml': manifest('later'), 'later/files/score.yaml': SCORE });
    const res = await h.call(newcomer, 'GET', '/api/v1/templates');
    expect(res.json().map((t: { name: string }) => t.name)).toEqual(['later', 'web']);
  });

  it('needs a token', async () => {
    expect((await h.call(undefined, 'GET', '/api/v1/templates')).statusCode).toBe(401);
  });
});
