import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '../create-store.js';
import type { Store } from '../types.js';

const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8);

describe('SQLite store files', () => {
  const dirs: string[] = [];
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A data folder anyone may read, as an existing ~/.local/share often is. */
  function openFolder(): string {
    const dir = mkdtempSync(join(tmpdir(), 'paved-modes-'));
    dirs.push(dir);
    chmodSync(dir, 0o755);
    return dir;
  }

  async function openAndWrite(path: string, name: string): Promise<Store> {
    const store = await createStore({ url: path });
    stores.push(store);
    await store.migrate();
    await store.createTeam({ name, title: name });
    return store;
  }

  it('are created readable by the owner only, even in a folder anyone may read', async () => {
    const path = join(openFolder(), 'paved.db');
    await openAndWrite(path, 'orders');
    // While the store is open, WAL mode keeps the -wal and -shm files beside the database.
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      expect(existsSync(file), file).toBe(true);
      expect(modeOf(file), file).toBe('600');
    }
  });

  it('are tightened at open when an older version left them readable', async () => {
    const path = join(openFolder(), 'paved.db');
    const first = await openAndWrite(path, 'orders');
    chmodSync(path, 0o644);
    chmodSync(`${path}-wal`, 0o644);
    chmodSync(`${path}-shm`, 0o644);
    // A second store object opens the same files, as the next start of Paved would.
    const second = await createStore({ url: path });
    stores.push(second);
    await second.createTeam({ name: 'billing', title: 'billing' });
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file), file).toBe('600');
    expect((await first.getTeam({ name: 'billing' }))?.name).toBe('billing');
  });

  it('creates a missing data folder for the owner only', async () => {
    const path = join(openFolder(), 'nested', 'paved.db');
    await openAndWrite(path, 'orders');
    expect(modeOf(join(path, '..'))).toBe('700');
  });
});
