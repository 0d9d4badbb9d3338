import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterPlace, sharedClusterDir } from './cluster-place.js';
import { firstBlockingDirectory, type ServerAccount } from './server-account.js';

/**
 * Where the embedded cluster goes, decided on real folders: an account that owns nothing here
 * (as the postgres account owns nothing of the user's) is let through only by "other" bits.
 */
describe('embedded PostgreSQL cluster placement', () => {
  const root = mkdtempSync(join(tmpdir(), 'paved-place-'));
  const stranger: ServerAccount = { name: 'postgres', uid: userInfo().uid + 4242, gid: userInfo().gid + 4242 };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('names the first folder on the way that the account may not enter', async () => {
    const data = join(root, 'private', 'data');
    mkdirSync(data, { recursive: true, mode: 0o755 });
    expect(await firstBlockingDirectory(data, stranger)).toBe(root); // mkdtemp makes 0700 folders
    chmodSync(root, 0o711);
    chmodSync(join(root, 'private'), 0o700);
    expect(await firstBlockingDirectory(data, stranger)).toBe(join(root, 'private'));
    // Search permission (x) is enough; reading the folder is not needed.
    chmodSync(join(root, 'private'), 0o711);
    expect(await firstBlockingDirectory(data, stranger)).toBeUndefined();
    // The owner goes by the owner's bits.
    expect(await firstBlockingDirectory(data, { ...stranger, uid: userInfo().uid })).toBeUndefined();
  });

  it('keeps the cluster in the data folder when the account can reach it, else in the fixed place, saying why', async () => {
    const open = join(root, 'open');
    mkdirSync(open, { mode: 0o755 });
    chmodSync(root, 0o711);
    expect(await clusterPlace(open, stranger)).toEqual({ dir: join(open, 'postgres') });

    const closed = join(root, 'closed');
    mkdirSync(closed, { mode: 0o700 });
    expect(await clusterPlace(closed, stranger)).toEqual({
      dir: sharedClusterDir(closed),
      outsideDataFolderBecause: `PostgreSQL runs as the postgres account, which cannot enter ${closed}`,
    });
    expect(sharedClusterDir(closed)).toMatch(/^\/var\/lib\/paved\/embedded-postgres\/[0-9a-f]{12}$/);
  });

  it('not as root, the cluster is always in the data folder (the account is ourselves)', async () => {
    expect(await clusterPlace(join(root, 'closed'), undefined)).toEqual({ dir: join(root, 'closed', 'postgres') });
  });

  it('a cluster already initialised in the data folder stays there', async () => {
    const closed = join(root, 'closed');
    mkdirSync(join(closed, 'postgres'), { recursive: true });
    writeFileSync(join(closed, 'postgres', 'PG_VERSION'), '18\n');
    expect(await clusterPlace(closed, stranger)).toEqual({ dir: join(closed, 'postgres') });
  });
});
