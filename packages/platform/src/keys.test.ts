import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { keysStatus, rotateKeys } from './keys.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'paved-keys-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('paved keys without a store', () => {
  it('refuses, naming the store it looked for, and creates neither a store nor a master key', async () => {
    // What `paved keys status` meets when run without the servers' PAVED_DATA_DIR.
    const config = loadConfig({ PAVED_DATA_DIR: join(dir, 'not-a-paved') });
    for (const run of [() => keysStatus(config), () => rotateKeys(config)]) {
      await expect(run()).rejects.toMatchObject({ code: 'keys_no_store', message: expect.stringContaining(join(dir, 'not-a-paved', 'paved.db')) });
    }
    expect(existsSync(join(dir, 'not-a-paved'))).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });
});
