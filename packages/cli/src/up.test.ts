import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@paved/client';
import { readCliConfig } from './config-file.js';
import { captureIo, cliSandbox } from './test-support.js';
import { main } from './program.js';

let sandbox: Awaited<ReturnType<typeof cliSandbox>>;
beforeAll(async () => { sandbox = await cliSandbox(); });
afterAll(async () => { await sandbox?.cleanup(); });

describe('paved up', () => {
  it('starts Paved, signs the CLI in as admin, and stops cleanly on SIGINT', async () => {
    const dataDir = join(sandbox.dir, 'data');
    const productsDir = join(sandbox.dir, 'no-products');
    await mkdir(productsDir);
    const io = captureIo({
      PAVED_CLI_CONFIG: sandbox.configPath, NO_COLOR: '1', PAVED_EMBEDDED_POSTGRES: 'off', PAVED_PRODUCTS_DIR: productsDir, PAVED_LOG_LEVEL: 'silent',
    });
    let settled = false;
    const running = main(['up', '--data-dir', dataDir, '--port', '0'], io).finally(() => (settled = true));
    for (let i = 0; i < 300 && !settled && !io.out.join('').includes('Press Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 50));
    const out = io.out.join('');
    expect(settled, `paved up ended early:\n${io.errs.join('')}`).toBe(false);
    expect(out).toMatch(/Paved is listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain(`data folder: ${dataDir}`);
    expect(out).toContain('paved teams create');

    const saved = await readCliConfig(sandbox.configPath);
    expect(out).toContain(saved.url!);
    // npm test builds the portal first, so this process serves it and says where.
    expect(out).toContain(`web portal: ${saved.url!} (sign in with an API token: paved tokens create NAME)`);
    const me = await createClient({ url: saved.url!, token: saved.token! }).whoami();
    expect(me.user.admin).toBe(true);

    io.raise('SIGINT');
    expect(await running).toBe(0);
    await expect(createClient({ url: saved.url! }).health()).rejects.toThrow(/cannot reach Paved/);
  });
});
