import { expect, it } from 'vitest';
import { ConflictError, InternalError } from '@paved/model';
import { eachStore } from '../testing.js';
import { productVersion } from '../test-fixtures.js';

eachStore('store: products', (open) => {
  it('publishes a version once: same digest is unchanged, another digest conflicts', async () => {
    const store = await open();
    expect(await store.publishProductVersion(productVersion('postgres', '1.0.0', 'd1'))).toBe('created');
    expect(await store.publishProductVersion(productVersion('postgres', '1.0.0', 'd1'))).toBe('unchanged');
    const error = await store.publishProductVersion(productVersion('postgres', '1.0.0', 'd2')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'product_version_exists', issues: [{ path: 'spec.version' }] });
    expect((await store.getProductVersion('postgres', '1.0.0'))?.digest).toBe('d1');
  });

  it('takes the highest release as latest, not the lexically highest, the newest or a pre-release', async () => {
    const store = await open();
    for (const v of ['1.9.0', '1.10.0', '1.2.0', '1.11.0-beta.1', '1.10.1-rc.1']) await store.publishProductVersion(productVersion('redis', v));
    const latest = await store.getProductVersion('redis');
    expect(latest?.version).toBe('1.10.0');
    expect(await store.latestProductVersion('redis')).toBe('1.10.0');
    expect((await store.listProducts()).find((p) => p.name === 'redis')?.latestVersion).toBe('1.10.0');
    // A pre-release is there when asked for by version.
    expect((await store.getProductVersion('redis', '1.11.0-beta.1'))?.version).toBe('1.11.0-beta.1');
    await store.publishProductVersion(productVersion('redis', '1.11.0'));
    expect((await store.getProductVersion('redis'))?.version).toBe('1.11.0');
    expect((await store.listProductVersions('redis')).map((v) => v.version)).toEqual(['1.2.0', '1.9.0', '1.10.0', '1.10.1-rc.1', '1.11.0-beta.1', '1.11.0']);
    expect(latest?.manifest.spec.version).toBe('1.10.0');
    expect(typeof latest?.publishedAt).toBe('string');
    expect(await store.getProductVersion('nothing')).toBeUndefined();
    expect(await store.getProductVersion('redis', '9.9.9')).toBeUndefined();
  });

  it('takes the highest pre-release as latest of a product that has nothing else', async () => {
    const store = await open();
    for (const v of ['0.1.0-alpha.2', '0.1.0-alpha.10']) await store.publishProductVersion(productVersion('kafka', v));
    expect(await store.latestProductVersion('kafka')).toBe('0.1.0-alpha.10');
  });

  it('knows versions as the manifest schema does: build metadata orders by text, a v prefix is refused', async () => {
    const store = await open();
    for (const v of ['1.0.0+b', '1.0.0', '1.0.0+a']) await store.publishProductVersion(productVersion('tok', v));
    expect((await store.listProductVersions('tok')).map((v) => v.version)).toEqual(['1.0.0', '1.0.0+a', '1.0.0+b']);
    await expect(store.publishProductVersion(productVersion('tok', 'v2.0.0'))).rejects.toBeInstanceOf(InternalError);
    expect((await store.getProductVersion('tok'))?.version).toBe('1.0.0+b');
  });

  it('lists one summary per product from its latest manifest', async () => {
    const store = await open();
    await store.publishProductVersion(productVersion('postgres', '1.9.0', 'a', ['small']));
    await store.publishProductVersion(productVersion('postgres', '1.10.0', 'b', ['small', 'large']));
    await store.publishProductVersion(productVersion('amqp', '0.1.0', 'c', ['dev']));
    expect(await store.listProducts()).toEqual([
      { name: 'amqp', title: 'amqp title', owner: 'platform', lifecycle: 'ga', latestVersion: '0.1.0', description: 'amqp 0.1.0', driver: 'memory', plans: ['dev'], tags: [] },
      { name: 'postgres', title: 'postgres title', owner: 'platform', lifecycle: 'ga', latestVersion: '1.10.0', description: 'postgres 1.10.0', driver: 'memory', plans: ['small', 'large'], tags: [] },
    ]);
  });

  it("records a product's owner with its first version and refuses a version that names another team", async () => {
    const store = await open();
    await store.publishProductVersion(productVersion('secret', '1.0.0'));
    expect(await store.getProductOwner('secret')).toBe('platform');
    const takeover = productVersion('secret', '99.0.0');
    takeover.manifest.metadata.owner = 'rival';
    const error = await store.publishProductVersion(takeover).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'product_owner_conflict', issues: [{ path: 'metadata.owner' }] });
    expect((await store.getProductVersion('secret'))?.version).toBe('1.0.0');

    await store.transferProduct('secret', 'rival');
    expect(await store.publishProductVersion(takeover)).toBe('created');
    expect((await store.listProducts()).find((p) => p.name === 'secret')?.owner).toBe('rival');
    await expect(store.transferProduct('nothing', 'rival')).rejects.toMatchObject({ code: 'product_not_found' });
  });
});
