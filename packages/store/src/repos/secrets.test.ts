import { expect, it } from 'vitest';
import { eachStore } from '../testing.js';

eachStore('store: secrets', (open) => {
  it('puts, replaces, gets and deletes envelopes by owner', async () => {
    const store = await open();
    await store.putSecret({ ownerId: 'owner-1', name: 'credentials', envelope: '{"v":1}' });
    await store.putSecret({ ownerId: 'owner-1', name: 'other', envelope: '{"v":9}' });
    await store.putSecret({ ownerId: 'owner-2', name: 'credentials', envelope: '{"v":2}' });
    await store.putSecret({ ownerId: 'owner-1', name: 'credentials', envelope: '{"v":3}' });
    const row = await store.getSecret('owner-1', 'credentials');
    expect(row).toMatchObject({ ownerId: 'owner-1', name: 'credentials', envelope: '{"v":3}' });
    expect(typeof row?.updatedAt).toBe('string');

    await store.deleteSecrets('owner-1');
    expect(await store.getSecret('owner-1', 'credentials')).toBeUndefined();
    expect(await store.getSecret('owner-1', 'other')).toBeUndefined();
    expect((await store.getSecret('owner-2', 'credentials'))?.envelope).toBe('{"v":2}');
  });
});
