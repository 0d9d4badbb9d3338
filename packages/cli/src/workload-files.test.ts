import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScoreText } from '@paved/model';
import type { RenderedWorkload } from './commands/workload.js';
import { placeFilesAndVolumes } from './workload-files.js';

/**
 * `paved run -f` writes a container's files under the project's .paved folder, and nowhere else:
 * the Score file comes with the repository, so a name in it must not choose where on the
 * developer's machine something is written.
 */
describe('placeFilesAndVolumes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paved-files-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes a file that holds a revealed secret for its owner only (0600), unless the Score file gives a mode', async () => {
    const file = join(dir, 'secrets', 'score.yaml');
    await mkdir(join(dir, 'secrets'));
    const text = [
      'apiVersion: score.dev/v1b1', 'metadata: { name: shop }', 'containers:', '  main:', '    image: .', '    files:',
      '      - { target: /etc/db.conf, content: "password=${resources.db.password}" }',
      '      - { target: /bin/start, content: "#!/bin/sh", mode: "0755" }',
      'resources: { db: { type: postgres } }',
    ].join('\n');
    await writeFile(file, text);
    const rendered: RenderedWorkload = { parsed: parseScoreText(text, file), team: 'shop', service: 'shop', env: 'dev', container: 'main', values: { db: { password: 'pw-7hX2q9' } }, instances: [], secrets: ['pw-7hX2q9'] };
    const [conf, start] = await placeFilesAndVolumes(rendered);
    expect((await stat(conf!.path)).mode & 0o777).toBe(0o600);
    expect((await stat(start!.path)).mode & 0o777).toBe(0o755);
    // Nor can another user list them: the folders are the owner's alone.
    expect((await stat(join(dir, 'secrets', '.paved', 'files'))).mode & 0o077).toBe(0);
  });

  it('keeps a container named with ".." and a target with ".." inside .paved', async () => {
    const file = join(dir, 'project', 'score.yaml');
    await mkdir(join(dir, 'project'));
    const text = [
      'apiVersion: score.dev/v1b1', 'metadata: { name: shop }', 'containers:',
      '  "../../../../../outside":', '    image: .',
      '    files: [{ target: /../../etc/app.conf, content: "planted" }]',
      '    volumes: [{ source: ../../../vol, target: /data }]',
    ].join('\n');
    await writeFile(file, text);
    const parsed = parseScoreText(text, file);
    const rendered: RenderedWorkload = { parsed, team: 'shop', service: 'shop', env: 'dev', container: '../../../../../outside', values: {}, instances: [], secrets: [] };
    // Without the guard the file lands five folders up from .paved/files/shop/dev: in `dir`, beside project/.
    const placed = await placeFilesAndVolumes(rendered);
    const paved = join(dir, 'project', '.paved');
    for (const p of placed) expect(relative(paved, p.path), `${p.kind} ${p.target}`).not.toMatch(/^\.\./);
    expect(await readdir(dir)).not.toContain('outside');
  });
});
