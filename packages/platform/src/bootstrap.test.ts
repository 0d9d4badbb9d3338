import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { AuditChain, createAuditLog, createAuditSigner } from '@paved/server';
import type { Store } from '@paved/store';
import { eachStore } from '@paved/store/testing';
import { bootstrap as bootstrapWith } from './bootstrap.js';

const productsDir = fileURLToPath(new URL('../../../products', import.meta.url));

const signer = createAuditSigner(randomBytes(32));
const bootstrap = (options: { store: Store; productsDir: string; adminToken?: string }) =>
  bootstrapWith({ ...options, audit: createAuditLog(new AuditChain(options.store, signer)) });

eachStore('bootstrap (paved up)', (open) => {
  it('makes the platform team a platform team that owns the built-in products', async () => {
    const store = await open();
    await bootstrap({ store, productsDir });
    expect((await store.getTeam({ name: 'platform' }))?.platform).toBe(true);
    expect(await store.getProductOwner('postgres')).toBe('platform');
  });

  it('reuses the saved admin token while it works, and otherwise keeps a single one', async () => {
    const store = await open();
    const first = await bootstrap({ store, productsDir });
    const admin = (await store.getUser({ name: 'admin' }))!;
    expect(await bootstrap({ store, productsDir, adminToken: first })).toBe(first);
    expect((await store.listTokens(admin.id)).map((t) => t.name)).toEqual(['paved-up']);

    // A lost or unknown saved token: the earlier one is revoked, not left alongside the new one.
    const second = await bootstrap({ store, productsDir, adminToken: 'pvd_unknown' });
    const third = await bootstrap({ store, productsDir });
    expect(new Set([first, second, third]).size).toBe(3);
    const tokens = await store.listTokens(admin.id);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.expiresAt).toBeDefined();
    const issued = (await store.listEvents({ kinds: ['token.issued'], limit: 10 })).items;
    expect(issued).toHaveLength(3);
    expect(issued.every((e) => e.actor === 'paved' && e.data.user === 'admin')).toBe(true);
    // The audit log has each one too, and each revocation, as the platform's own actions.
    const audited = await store.readAuditRecords({ afterSeq: 0, limit: 100 });
    expect(audited.map((r) => `${r.actor} ${r.action} ${r.target?.user}`)).toEqual([
      'paved token.issue admin', 'paved token.revoke admin', 'paved token.issue admin', 'paved token.revoke admin', 'paved token.issue admin',
    ]);
    expect(audited.every((r) => r.source === undefined)).toBe(true);
  });
});
