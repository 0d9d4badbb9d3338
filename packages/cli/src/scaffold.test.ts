import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemplateDetail } from '@paved/model';
import { assertEmptyFolder, renderScaffold, templateValues, writeScaffold } from './scaffold.js';

const template: TemplateDetail = {
  summary: { name: 'web', title: 'Web', description: 'A web service', resources: ['postgres'] },
  parameters: [
    { name: 'greeting', description: 'What to say', default: 'hello' },
    { name: 'owner_email', description: 'Who to page' },
  ],
  files: [
    { path: 'score.yaml', content: 'metadata:\n  name: "{{service}}"\nvariables:\n  PORT: "{{ port }}"\n  DB: ${resources.db.url}\n' },
    { path: 'bin/{{service}}.sh', content: '#!/bin/sh\necho {{greeting}} from {{team}} to {{owner_email}}\n', executable: true },
  ],
};

describe('templateValues', () => {
  const base = { service: 'shop', team: 'orders', port: 3000, sets: ['owner_email=ops@example.com'] };

  it('fills built-ins, --set values and defaults', () => {
    expect(templateValues(template, base)).toEqual({ service: 'shop', team: 'orders', port: '3000', greeting: 'hello', owner_email: 'ops@example.com' });
    expect(templateValues(template, { ...base, sets: [...base.sets, 'greeting=a=b $& c'] }).greeting).toBe('a=b $& c');
  });

  it('names what is wrong: bad service name, unknown or built-in --set key, missing parameter, multi-line value, bad port', () => {
    expect(() => templateValues(template, { ...base, service: 'Shop' })).toThrow(expect.objectContaining({ code: 'name_invalid' }));
    expect(() => templateValues(template, { ...base, sets: ['colour=red'] }))
      .toThrow(expect.objectContaining({ code: 'template_parameter_unknown', message: expect.stringContaining('it has: greeting, owner_email') }));
    expect(() => templateValues(template, { ...base, sets: ['port=1'] })).toThrow(/pass --port/);
    expect(() => templateValues(template, { ...base, sets: [] }))
      .toThrow(expect.objectContaining({ code: 'template_parameter_missing', issues: [expect.objectContaining({ path: '--set owner_email' })] }));
    expect(() => templateValues(template, { ...base, sets: ['owner_email=a\nb: c'] })).toThrow(expect.objectContaining({ code: 'template_value_invalid' }));
    expect(() => templateValues(template, { ...base, port: 70000 })).toThrow(expect.objectContaining({ code: 'template_value_invalid' }));
    expect(() => templateValues(template, { ...base, sets: ['nokey'] })).toThrow(expect.objectContaining({ code: 'set_invalid' }));
  });
});

describe('renderScaffold', () => {
  const values = { service: 'shop', team: 'orders', port: '3000', greeting: 'hi', owner_email: 'o@x' };

  it('renders paths and contents, leaving Score placeholders alone', () => {
    const files = renderScaffold(template, values);
    expect(files).toEqual([
      { path: 'score.yaml', content: 'metadata:\n  name: "shop"\nvariables:\n  PORT: "3000"\n  DB: ${resources.db.url}\n' },
      { path: 'bin/shop.sh', content: '#!/bin/sh\necho hi from orders to o@x\n', executable: true },
    ]);
  });

  it('refuses a path that leaves the folder, and an unknown placeholder', () => {
    const escaping = { ...template, files: [{ path: '{{greeting}}/x', content: '' }] };
    expect(() => renderScaffold(escaping, { ...values, greeting: '../..' })).toThrow(expect.objectContaining({ code: 'template_path_invalid' }));
    expect(() => renderScaffold(escaping, { ...values, greeting: '/etc' })).toThrow(expect.objectContaining({ code: 'template_path_invalid' }));
    expect(renderScaffold(escaping, { ...values, greeting: 'a/../b' })[0]!.path).toBe('b/x');
    const typo = { ...template, files: [{ path: 'README.md', content: '{{servce}}' }] };
    expect(() => renderScaffold(typo, values)).toThrow(expect.objectContaining({ code: 'template_variable_unknown', issues: [expect.objectContaining({ path: 'README.md' })] }));
  });
});

describe('writeScaffold', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'paved-scaffold-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('writes the files into a new folder, executable ones with mode 755', async () => {
    const dir = join(root, 'shop');
    await writeScaffold(dir, renderScaffold(template, { service: 'shop', team: 'orders', port: '3000', greeting: 'hi', owner_email: 'o@x' }));
    expect(await readFile(join(dir, 'score.yaml'), 'utf8')).toContain('name: "shop"');
    expect((await stat(join(dir, 'bin/shop.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(dir, 'score.yaml'))).mode & 0o111).toBe(0);
  });

  it('writes into an existing empty folder but never into one with anything in it', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    await expect(assertEmptyFolder(empty)).resolves.toBeUndefined();
    const used = join(root, 'used');
    await mkdir(used);
    await writeFile(join(used, 'notes.txt'), 'mine');
    await expect(writeScaffold(used, [{ path: 'notes.txt', content: 'theirs' }])).rejects.toMatchObject({ code: 'directory_not_empty', kind: 'conflict' });
    expect(await readFile(join(used, 'notes.txt'), 'utf8')).toBe('mine');
    await expect(assertEmptyFolder(join(used, 'notes.txt'))).rejects.toMatchObject({ code: 'directory_not_empty' });
  });
});
