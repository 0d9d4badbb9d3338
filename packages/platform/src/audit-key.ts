import type { SecretStore, VersionedKey } from '@paved/secrets';

/** Where the audit key's material lives in the secret store. */
const OWNER = 'platform';
const NAME = 'audit-signing-key';

/**
 * What the audit log's signing key is derived from (createAuditSigner, docs/audit.md): key
 * material sealed in the secret store, so that a master-key rotation, which re-wraps it like
 * every secret, does not change the audit key and older records still verify. At the first start
 * it is the master key of that time, so the audit key is the one Paved derived before this was
 * kept (every process of a platform derives the same, and writing it twice writes the same).
 * Someone who can read the database but not the master key still cannot read it, nor sign.
 */
export async function auditKeyMaterial(secrets: SecretStore, active: VersionedKey): Promise<Buffer> {
  const stored = await secrets.get(OWNER, NAME);
  if (stored?.material !== undefined) return Buffer.from(stored.material, 'base64');
  await secrets.put(OWNER, NAME, { material: active.key.toString('base64') });
  return Buffer.from(active.key);
}
