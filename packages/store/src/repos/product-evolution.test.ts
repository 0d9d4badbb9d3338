import { expect, it } from 'vitest';
import { eachStore } from '../testing.js';
import { newInstance, seedTeam } from '../test-fixtures.js';

eachStore('store: product deprecations, roadmap and requests', (open) => {
  it('keeps one deprecation per version and one for the whole product, replacing and withdrawing them', async () => {
    const store = await open();
    await store.setDeprecation({ product: 'redis', version: '1.0.0', date: '2030-01-31', reason: 'old TLS', by: 'alice' });
    await store.setDeprecation({ product: 'redis', date: '2031-06-30', reason: 'moving to valkey', by: 'alice' });
    const replaced = await store.setDeprecation({ product: 'redis', version: '1.0.0', date: '2030-03-31', reason: 'old TLS, later', by: 'bob' });
    expect(replaced).toMatchObject({ product: 'redis', version: '1.0.0', date: '2030-03-31', by: 'bob' });
    await store.setDeprecation({ product: 'kafka', date: '2030-01-01', reason: 'x', by: 'alice' });
    expect((await store.listDeprecations('redis')).map((d) => [d.version ?? '*', d.date, d.reason])).toEqual([
      ['*', '2031-06-30', 'moving to valkey'],
      ['1.0.0', '2030-03-31', 'old TLS, later'],
    ]);
    expect((await store.listDeprecations()).map((d) => d.product)).toEqual(['kafka', 'redis', 'redis']);
    expect(await store.removeDeprecation('redis', undefined)).toBe(true);
    expect(await store.removeDeprecation('redis', undefined)).toBe(false);
    expect((await store.listDeprecations('redis')).map((d) => d.version)).toEqual(['1.0.0']);
  });

  it('counts live top-level instances per team and version', async () => {
    const store = await open();
    const [a, b] = [await seedTeam(store, 'alpha'), await seedTeam(store, 'beta')];
    await store.createInstance(newInstance(a, 'one', { product: 'redis', productVersion: '1.0.0' }));
    await store.createInstance(newInstance(a, 'two', { product: 'redis', productVersion: '1.0.0' }));
    await store.createInstance(newInstance(b, 'three', { product: 'redis', productVersion: '2.0.0' }));
    const gone = await store.createInstance(newInstance(b, 'four', { product: 'redis', productVersion: '1.0.0' }));
    await store.requestDeletion(gone.id, 'alice');
    await store.createInstance(newInstance(b, 'other', { product: 'postgres' }));
    expect(await store.liveInstancesByTeamAndVersion('redis')).toEqual([
      { team: 'alpha', version: '1.0.0', instances: 2 },
      { team: 'beta', version: '2.0.0', instances: 1 },
    ]);
  });

  it('keeps a roadmap in the order items were added, changing and removing them by product and id', async () => {
    const store = await open();
    const first = await store.addRoadmapItem({ product: 'redis', title: 'TLS', status: 'planned', targetVersion: '1.2.0' });
    const second = await store.addRoadmapItem({ product: 'redis', title: 'Backups', status: 'in-progress' });
    const elsewhere = await store.addRoadmapItem({ product: 'kafka', title: 'Other', status: 'planned' });
    expect(first).toMatchObject({ product: 'redis', title: 'TLS', status: 'planned', targetVersion: '1.2.0' });
    expect(second.id).toBeGreaterThan(first.id);
    expect(await store.updateRoadmapItem('redis', first.id, { status: 'shipped', targetVersion: null })).toMatchObject({ status: 'shipped', title: 'TLS' });
    expect((await store.listRoadmap('redis'))[0]).not.toHaveProperty('targetVersion');
    expect(await store.updateRoadmapItem('redis', elsewhere.id, { status: 'shipped' })).toBeUndefined();
    expect(await store.removeRoadmapItem('redis', elsewhere.id)).toBe(false);
    expect(await store.removeRoadmapItem('redis', second.id)).toBe(true);
    expect((await store.listRoadmap('redis')).map((i) => i.title)).toEqual(['TLS']);
    expect((await store.listRoadmap('kafka')).map((i) => i.title)).toEqual(['Other']);
  });

  it('counts one vote per user and request and lists requests by votes, then age', async () => {
    const store = await open();
    const [alice, bob] = [await store.createUser({ name: 'alice', admin: false }), await store.createUser({ name: 'bob', admin: false })];
    const older = await store.addProductRequest({ product: 'redis', text: 'Cluster mode', authorId: alice.id });
    const newer = await store.addProductRequest({ product: 'redis', text: 'Redis 8', authorId: bob.id });
    const tied = await store.addProductRequest({ product: 'redis', text: 'Metrics', authorId: bob.id });
    expect(older).toMatchObject({ product: 'redis', text: 'Cluster mode', author: 'alice', votes: 0 });
    expect(await store.voteProductRequest('redis', newer.id, alice.id)).toBe('voted');
    expect(await store.voteProductRequest('redis', newer.id, alice.id)).toBe('already');
    expect(await store.voteProductRequest('redis', newer.id, bob.id)).toBe('voted');
    expect(await store.voteProductRequest('redis', tied.id, bob.id)).toBe('voted');
    expect(await store.voteProductRequest('redis', older.id, bob.id)).toBe('voted');
    expect(await store.voteProductRequest('kafka', older.id, alice.id)).toBe('not-found');
    expect(await store.voteProductRequest('redis', 999_999, alice.id)).toBe('not-found');
    expect((await store.listProductRequests('redis')).map((r) => [r.text, r.votes])).toEqual([['Redis 8', 2], ['Cluster mode', 1], ['Metrics', 1]]);
    expect(await store.listProductRequests('kafka')).toEqual([]);
  });
});
