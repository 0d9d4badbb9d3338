import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eachStore, openAnother } from '@paved/store/testing';
import type { Store } from '@paved/store';
import { afterEach, expect, it } from 'vitest';
import { fixedKeyring, openKeyring, type VersionedKey } from './keyring.js';
import { masterKeyId } from './master-key.js';
import { registerKeyring, rotateMasterKey } from './rotation.js';
import { createSecretStore } from './secret-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function keyFileIn(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paved-rotate-'));
  dirs.push(dir);
  return join(dir, 'master.key');
}
function key(version: number): VersionedKey {
  const bytes = randomBytes(32);
  return { key: bytes, id: masterKeyId(bytes), version };
}
/** A second process on the same database; on SQLite the same object (one connection per file and process). */
async function anotherProcess(store: Store): Promise<Store> {
  return store.dialect === 'postgres' ? openAnother(store) : store;
}

eachStore('master key rotation', (open) => {
  it('re-wraps every secret under a new key in the key file while a server keeps writing, and loses none', async () => {
    const store = await open();
    const keyFile = keyFileIn();
    const server = openKeyring({ keyFile }).source;
    await registerKeyring(store, server);
    const serverSecrets = createSecretStore({ store, keyring: server });
    const expected = new Map<string, string>();
    const put = async (owner: string) => {
      const password = randomBytes(12).toString('hex');
      expected.set(owner, password);
      await serverSecrets.put(owner, 'credentials', { password });
    };
    for (let i = 0; i < 450; i++) await put(`owner-${String(i).padStart(4, '0')}`);
    const oldKey = server.keys()[0]!;

    // The CLI: its own keyring object on the same file, its own store connection.
    const cli = await anotherProcess(store);
    const lines: string[] = [];
    let writing = true;
    const writer = (async () => {
      // New secrets and changed ones, all through the rotation.
      for (let i = 0; writing; i++) {
        await put(`owner-new-${i}`);
        await put(`owner-${String(i % 450).padStart(4, '0')}`);
      }
    })();
    const report = await rotateMasterKey({ store: cli, keyring: openKeyring({ keyFile }).source, onProgress: (line) => lines.push(line) });
    writing = false;
    await writer;
    await put('owner-after');

    expect(report).toMatchObject({ key: { version: 2 }, replaced: [1], keyFile, backup: `${keyFile}.before-v2` });
    expect(report.rewrapped).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(/new secrets are now sealed with master key v2/);
    expect(await store.countSecretsByKey()).toEqual({ [report.key.id]: expected.size });
    expect(await store.activeMasterKey()).toMatchObject({ keyId: report.key.id, version: 2 });

    // Every value reads back: through the running server, and after a restart (fresh keyring).
    const restarted = createSecretStore({ store, keyring: openKeyring({ keyFile }).source });
    for (const [owner, password] of expected) {
      expect(await serverSecrets.get(owner, 'credentials')).toEqual({ password });
      expect(await restarted.get(owner, 'credentials')).toEqual({ password });
    }
    // The key file holds the new key only; the old one is in the backup, and no longer opens anything.
    expect(openKeyring({ keyFile }).source.keys().map((k) => k.version)).toEqual([2]);
    expect(readFileSync(`${keyFile}.before-v2`, 'utf8')).toContain(oldKey.key.toString('base64'));
    await expect(createSecretStore({ store, masterKey: oldKey }).get('owner-0001', 'credentials')).rejects.toMatchObject({ code: 'secret_unreadable' });
  });

  it('with PAVED_MASTER_KEY: asks for the new key first, then re-wraps; a process without it is refused', async () => {
    const store = await open();
    const [v1, v2] = [key(1), key(2)];
    const before = fixedKeyring([v1]);
    await registerKeyring(store, before);
    const oldServer = createSecretStore({ store, keyring: before });
    await oldServer.put('a', 'credentials', { password: 'pa' });
    await oldServer.put('b', 'credentials', { password: 'pb' });

    await expect(rotateMasterKey({ store, keyring: before })).rejects.toMatchObject({ code: 'master_key_rotation_needs_key', message: expect.stringContaining('PAVED_MASTER_KEY="v1:<current key>,v2:<new key>"') });

    const both = fixedKeyring([v1, v2]);
    const report = await rotateMasterKey({ store, keyring: both });
    expect(report).toEqual({ key: { version: 2, id: v2.id }, replaced: [1], rewrapped: 2 });
    expect(await createSecretStore({ store, keyring: fixedKeyring([v2]) }).get('b', 'credentials')).toEqual({ password: 'pb' });

    // A process still started with the old key only: refused at start, and its writes are refused.
    await expect(registerKeyring(store, before)).rejects.toMatchObject({ code: 'master_key_missing', message: expect.stringContaining('2 stored secrets are sealed with master key') });
    await expect(oldServer.put('c', 'credentials', { password: 'pc' })).rejects.toMatchObject({ code: 'master_key_missing' });
    expect(await store.getSecret('c', 'credentials')).toBeUndefined();
  });

  it('finishes an interrupted rotation instead of starting another', async () => {
    const store = await open();
    const [v1, v2] = [key(1), key(2)];
    await registerKeyring(store, fixedKeyring([v1]));
    await createSecretStore({ store, keyring: fixedKeyring([v1]) }).put('a', 'credentials', { password: 'pa' });
    // Stopped right after the switch: v2 active, the secret still under v1.
    expect(await store.activateMasterKey({ keyId: v2.id, version: 2 }, v1.id)).toBe(true);
    const lines: string[] = [];
    const report = await rotateMasterKey({ store, keyring: fixedKeyring([v1, v2]), onProgress: (line) => lines.push(line) });
    expect(report).toMatchObject({ key: { version: 2 }, rewrapped: 1 });
    expect(lines).toContain('resuming the re-wrap under master key v2');
    expect(await store.countSecretsByKey()).toEqual({ [v2.id]: 1 });
  });
});
