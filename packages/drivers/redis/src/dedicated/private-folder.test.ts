import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makePrivateFolder } from './private-folder.js';

const scratch = mkdtempSync(join(tmpdir(), 'paved-private-folder-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;
/** What mkdir gives a folder made without a mode under this process's umask. */
const usual = 0o777 & ~process.umask();

describe('makePrivateFolder', () => {
  it('makes the folder 0700 and leaves its new parents as the umask makes them, so other accounts still pass through', async () => {
    const dataDir = join(scratch, 'var/lib/paved/redis');
    await makePrivateFolder(dataDir);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(scratch, 'var/lib/paved'))).toBe(usual);
    expect(mode(join(scratch, 'var'))).toBe(usual);
  });

  it('makes every folder from the root down to one inside it 0700', async () => {
    const dataDir = join(scratch, 'srv/redis');
    await makePrivateFolder(dataDir, join(dataDir, 'pv_x/data'));
    for (const folder of [dataDir, join(dataDir, 'pv_x'), join(dataDir, 'pv_x/data')]) expect(mode(folder)).toBe(0o700);
    expect(mode(join(scratch, 'srv'))).toBe(usual);
  });
});
