import type { SecretStore } from '@paved/secrets';
import type { ClaimedInstance } from '@paved/store';

/**
 * The secret store as one pass sees it. When the claim found no secret of the instance stored
 * (ClaimedInstance.secretsStored), none can appear while the pass holds the lease but those the
 * pass stores itself (only the lease holder stores an instance's secrets): its reads of the
 * instance's secrets answer "none" without a query until it stores one (a pass on a new
 * instance read its generated secrets for nothing: a statement, on PostgreSQL a round trip).
 * Every write, and every read of another owner's secrets, goes to the secret store as before.
 */
export function passSecrets(secrets: SecretStore, claimed: ClaimedInstance): SecretStore {
  if (claimed.secretsStored !== false) return secrets;
  const own = claimed.instance.id;
  let storing = false;
  return {
    put(ownerId, name, values, options) {
      // From the first write on, read as before (the write may be under way or have failed).
      if (ownerId === own) storing = true;
      return secrets.put(ownerId, name, values, options);
    },
    get: (ownerId, name) => (ownerId === own && !storing ? Promise.resolve(undefined) : secrets.get(ownerId, name)),
    deleteAll: (ownerId) => secrets.deleteAll(ownerId),
  };
}
