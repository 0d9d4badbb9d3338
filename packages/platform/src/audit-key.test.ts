import { randomBytes } from 'node:crypto';
import { createAuditSigner } from '@paved/server';
import { createSecretStore, fixedKeyring, masterKeyId, registerKeyring, rotateMasterKey, type VersionedKey } from '@paved/secrets';
import { eachStore } from '@paved/store/testing';
import { expect, it } from 'vitest';
import { auditKeyMaterial } from './audit-key.js';

function key(version: number): VersionedKey {
  const bytes = randomBytes(32);
  return { key: bytes, id: masterKeyId(bytes), version };
}

eachStore('the audit signing key', (open) => {
  it('is the one derived from the master key at the first start, and stays the same through a master-key rotation', async () => {
    const store = await open();
    const [v1, v2] = [key(1), key(2)];
    await registerKeyring(store, fixedKeyring([v1]));
    const before = createAuditSigner(await auditKeyMaterial(createSecretStore({ store, keyring: fixedKeyring([v1]) }), v1));
    // What Paved derived before the material was kept: older records keep verifying.
    expect(before.key).toEqual(createAuditSigner(v1.key).key);

    await rotateMasterKey({ store, keyring: fixedKeyring([v1, v2]) });
    const after = createAuditSigner(await auditKeyMaterial(createSecretStore({ store, keyring: fixedKeyring([v2]) }), v2));
    expect(after.key).toEqual(before.key);
  });
});
