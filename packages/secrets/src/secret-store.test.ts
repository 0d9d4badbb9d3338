import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createStore } from '@paved/store';
import { eachStore } from '@paved/store/testing';
import { describe, expect, it } from 'vitest';
import { fixedKeyring } from './keyring.js';
import { masterKeyId, type MasterKey } from './master-key.js';
import { createSecretStore } from './secret-store.js';

function newMaster(): MasterKey {
  const key = randomBytes(32);
  return { key, id: masterKeyId(key) };
}

eachStore('createSecretStore', (open) => {
  it('stores values encrypted and reads them back', async () => {
    const store = await open();
    const secrets = createSecretStore({ store, masterKey: newMaster() });
    const owner = randomUUID();
    const password = `pw-${randomBytes(16).toString('hex')}`;
    await secrets.put(owner, 'credentials', { password, username: 'pv_team_app' });
    expect(await secrets.get(owner, 'credentials')).toEqual({ password, username: 'pv_team_app' });

    const row = await store.getSecret(owner, 'credentials');
    expect(row!.envelope).not.toContain(password);
    expect(row!.envelope).not.toContain('pv_team_app');

    // Overwrite (rotation) replaces the values.
    await secrets.put(owner, 'credentials', { password: 'new', username: 'pv_team_app' });
    expect((await secrets.get(owner, 'credentials'))!.password).toBe('new');
    expect(await secrets.get(owner, 'missing')).toBeUndefined();
  });

  it('deletes every secret of an owner, and only theirs', async () => {
    const store = await open();
    const secrets = createSecretStore({ store, masterKey: newMaster() });
    const [a, b] = [randomUUID(), randomUUID()];
    await secrets.put(a, 'one', { v: '1' });
    await secrets.put(a, 'two', { v: '2' });
    await secrets.put(b, 'one', { v: '3' });
    await secrets.deleteAll(a);
    await secrets.deleteAll(a);
    expect(await secrets.get(a, 'one')).toBeUndefined();
    expect(await secrets.get(a, 'two')).toBeUndefined();
    expect(await secrets.get(b, 'one')).toEqual({ v: '3' });
  });

  it('does not open a row copied to another owner, nor with another master key', async () => {
    const store = await open();
    const masterKey = newMaster();
    const secrets = createSecretStore({ store, masterKey });
    const [victim, attacker] = [randomUUID(), randomUUID()];
    await secrets.put(victim, 'credentials', { password: 'victim-secret' });
    const row = await store.getSecret(victim, 'credentials');
    await store.putSecret({ ownerId: attacker, name: 'credentials', envelope: row!.envelope, keyId: row!.keyId });
    await expect(secrets.get(attacker, 'credentials')).rejects.toMatchObject({ code: 'secret_unreadable' });
    await expect(createSecretStore({ store, masterKey: newMaster() }).get(victim, 'credentials')).rejects.toThrow(/sealed with master key/);
  });

  it('knows the key new secrets are sealed with once asked (a worker\'s start), before any write: the active one, or on a brand-new store the newest', async () => {
    const store = await open();
    const [older, newer] = [newMaster(), newMaster()];
    const keyring = fixedKeyring([{ ...older, version: 1 }, { ...newer, version: 2 }]);
    const fresh = createSecretStore({ store, keyring });
    expect(fresh.sealNow!('owner', 'generated', { token: 'x' })).toBeUndefined();
    await fresh.knowSealingKey!();
    // No active key recorded yet: the newest, as the first put would take it.
    expect(fresh.sealNow!('owner', 'generated', { token: 'x' })?.keyId).toBe(newer.id);
    expect(await store.activateMasterKey({ keyId: older.id, version: 1 }, undefined)).toBe(true);
    const started = createSecretStore({ store, keyring });
    await started.knowSealingKey!();
    const sealed = started.sealNow!('owner', 'generated', { token: 'x' });
    expect(sealed?.keyId).toBe(older.id);
    expect(started.open!({ ownerId: 'owner', name: 'generated', envelope: sealed!.envelope, keyId: sealed!.keyId, updatedAt: '' })).toEqual({ token: 'x' });
  });

  it('leaves a key it cannot find for put to report: knowSealingKey does not throw', async () => {
    const store = await open();
    expect(await store.activateMasterKey({ keyId: 'held-elsewhere', version: 3 }, undefined)).toBe(true);
    const secrets = createSecretStore({ store, masterKey: newMaster() });
    await expect(secrets.knowSealingKey!()).resolves.toBeUndefined();
    expect(secrets.sealNow!('owner', 'generated', { token: 'x' })).toBeUndefined();
    await expect(secrets.put('owner', 'generated', { token: 'x' })).rejects.toMatchObject({ code: 'master_key_missing' });
  });
});

describe('the SQLite database file', () => {
  it('never contains a plaintext secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paved-secrets-'));
    try {
      const file = join(dir, 'paved.db');
      const store = await createStore({ url: file });
      await store.migrate();
      const secrets = createSecretStore({ store, masterKey: newMaster() });
      const plaintext = `plain-${randomBytes(12).toString('hex')}`;
      await secrets.put(randomUUID(), 'credentials', { password: plaintext });
      await store.close();

      const db = new Database(file, { readonly: true });
      try {
        const rows = db.prepare('SELECT * FROM secrets').all() as Record<string, unknown>[];
        expect(rows).toHaveLength(1);
        expect(JSON.stringify(rows)).not.toContain(plaintext);
        expect(JSON.stringify(rows)).not.toContain(Buffer.from(plaintext).toString('base64').slice(0, 16));
      } finally {
        db.close();
      }
      // Every byte on disk, WAL and journal included.
      for (const name of readdirSync(dir)) expect(readFileSync(join(dir, name)).includes(plaintext)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
