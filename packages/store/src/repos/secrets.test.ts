import { expect, it } from 'vitest';
import { eachStore, openAnother } from '../testing.js';

eachStore('store: secrets', (open) => {
  it('puts, replaces, gets and deletes envelopes by owner', async () => {
    const store = await open();
    await store.putSecret({ ownerId: 'owner-1', name: 'credentials', envelope: '{"v":1}', keyId: 'k1' });
    await store.putSecret({ ownerId: 'owner-1', name: 'other', envelope: '{"v":9}', keyId: 'k1' });
    await store.putSecret({ ownerId: 'owner-2', name: 'credentials', envelope: '{"v":2}', keyId: 'k1' });
    await store.putSecret({ ownerId: 'owner-1', name: 'credentials', envelope: '{"v":3}', keyId: 'k1' });
    const row = await store.getSecret('owner-1', 'credentials');
    expect(row).toMatchObject({ ownerId: 'owner-1', name: 'credentials', envelope: '{"v":3}', keyId: 'k1' });
    expect(typeof row?.updatedAt).toBe('string');

    await store.deleteSecrets('owner-1');
    expect(await store.getSecret('owner-1', 'credentials')).toBeUndefined();
    expect(await store.getSecret('owner-1', 'other')).toBeUndefined();
    expect((await store.getSecret('owner-2', 'credentials'))?.envelope).toBe('{"v":2}');
  });

  it('refuses an envelope under a key that is not the active one, once a key is active', async () => {
    const store = await open();
    expect(await store.activeMasterKey()).toBeUndefined();
    expect(await store.putSecret({ ownerId: 'o', name: 'a', envelope: 'e1', keyId: 'k1' })).toBe('written');

    expect(await store.activateMasterKey({ keyId: 'k1', version: 1 }, undefined)).toBe(true);
    expect(await store.activeMasterKey()).toMatchObject({ keyId: 'k1', version: 1 });
    // A second process that still expects "none" lost the race.
    expect(await store.activateMasterKey({ keyId: 'k9', version: 1 }, undefined)).toBe(false);

    expect(await store.activateMasterKey({ keyId: 'k2', version: 2 }, 'k1')).toBe(true);
    const other = await openAnother(store);
    expect(await other.putSecret({ ownerId: 'o', name: 'b', envelope: 'e2', keyId: 'k1' })).toBe('stale-key');
    expect(await other.getSecret('o', 'b')).toBeUndefined();
    expect(await other.putSecret({ ownerId: 'o', name: 'b', envelope: 'e3', keyId: 'k2' })).toBe('written');
    expect(await store.countSecretsByKey()).toEqual({ k1: 1, k2: 1 });
  });

  it('lists what a re-wrap has left, in pages, and re-wraps only an unchanged envelope under the active key', async () => {
    const store = await open();
    for (const owner of ['a', 'b', 'c']) {
      for (const name of ['x', 'y']) await store.putSecret({ ownerId: owner, name, envelope: `${owner}${name}-old`, keyId: 'k1' });
    }
    await store.activateMasterKey({ keyId: 'k2', version: 2 }, undefined);
    await store.putSecret({ ownerId: 'b', name: 'x', envelope: 'bx-new', keyId: 'k2' });

    const first = await store.secretsNotSealedWith('k2', { limit: 3 });
    expect(first.map((r) => `${r.ownerId}/${r.name}`)).toEqual(['a/x', 'a/y', 'b/y']);
    const rest = await store.secretsNotSealedWith('k2', { limit: 3, after: { ownerId: 'b', name: 'y' } });
    expect(rest.map((r) => `${r.ownerId}/${r.name}`)).toEqual(['c/x', 'c/y']);

    expect(await store.rewrapSecret({ ownerId: 'a', name: 'x', keyId: 'k2', envelope: 'ax-rewrapped' }, 'ax-old')).toBe(true);
    // Changed since it was listed: left to the writer's version.
    expect(await store.rewrapSecret({ ownerId: 'a', name: 'y', keyId: 'k2', envelope: 'ay-rewrapped' }, 'stale')).toBe(false);
    expect(await store.rewrapSecret({ ownerId: 'c', name: 'x', keyId: 'k1', envelope: 'cx-rewrapped' }, 'cx-old')).toBe('stale-key');
    expect(await store.getSecret('a', 'x')).toMatchObject({ envelope: 'ax-rewrapped', keyId: 'k2' });
    expect((await store.getSecret('a', 'y'))?.envelope).toBe('ay-old');
    expect((await store.getSecret('c', 'x'))?.envelope).toBe('cx-old');
    expect(await store.countSecretsByKey()).toEqual({ k1: 4, k2: 2 });
  });
});
