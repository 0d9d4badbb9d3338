import { mkdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
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
  it('says in its help that each default comes from its PAVED_* variable first', async () => {
    const io = captureIo({ PAVED_CLI_CONFIG: sandbox.configPath, NO_COLOR: '1' });
    expect(await main(['up', '--help'], io)).toBe(0);
    const help = io.out.join('').replace(/\s+/g, ' ');
    // loadConfig reads PAVED_HOST as it reads PAVED_PORT and PAVED_DATA_DIR (README.md, Configuration).
    for (const shown of ['$PAVED_DATA_DIR or', '$PAVED_PORT or 7468', '$PAVED_HOST or 127.0.0.1']) expect(help).toContain(shown);
  });

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

  it('says which port is taken, and how to choose another, when another process holds it', async () => {
    // A real listener on a real port: what a second `paved up` on the same port meets.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const productsDir = join(sandbox.dir, 'no-products-taken');
      await mkdir(productsDir);
      const io = captureIo({
        PAVED_CLI_CONFIG: sandbox.configPath, NO_COLOR: '1', PAVED_EMBEDDED_POSTGRES: 'off', PAVED_PRODUCTS_DIR: productsDir, PAVED_LOG_LEVEL: 'silent',
      });
      const code = await main(['up', '--data-dir', join(sandbox.dir, 'data-taken'), '--port', String(port)], io);
      const errors = io.errs.join('');
      expect(code).not.toBe(0);
      expect(errors).toContain(`127.0.0.1:${port} is already in use (is another Paved running?)`);
      expect(errors).toContain('choose another port with --port or PAVED_PORT');
      expect(errors).not.toMatch(/this is a bug/);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });
});
