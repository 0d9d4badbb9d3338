/**
 * Credentials of a resource. Credential 0 is a login named after the resource itself; each
 * `paved rotate` issues credential n as a login of its own, `<externalName>_r<n>`, so the new
 * one can work beside the old during the grace period and the old one can be revoked exactly.
 */
import { DriverError } from '@paved/model';
import type { DriverContext } from './index.js';

/**
 * Name of the login for credential `rotation` of a resource: the external name itself for the
 * first credential, `<externalName>_r<rotation>` after rotations. externalName is at most 56
 * characters, so this stays within PostgreSQL's 63 for rotation < 100000.
 */
export function credentialName(externalName: string, rotation = 0): string {
  return rotation === 0 ? externalName : `${externalName}_r${rotation}`;
}

/**
 * Whether `login` holds a credential of `externalName`, at any rotation: what deletion removes.
 * It cannot catch a neighbour's login: external names end in `_<8 hex digits>`, so no other
 * resource is named `<externalName>_r<digits>`, nor has a login of that form.
 */
export function isCredentialName(externalName: string, login: string): boolean {
  if (login === externalName) return true;
  const prefix = `${externalName}_r`;
  return login.startsWith(prefix) && /^\d+$/.test(login.slice(prefix.length));
}

/**
 * The secret `key` the engine generated for the instance (it is stored before the driver is
 * called). Missing, it is a bug in the caller, not something a retry fixes.
 */
export function requireSecret(driver: string, ctx: Pick<DriverContext, 'instance' | 'secrets'>, key: string): string {
  const value = ctx.secrets[key];
  if (!value) {
    throw new DriverError(`${driver}: no "${key}" secret was given for "${ctx.instance.externalName}"`, {
      code: 'secret_missing',
      retryable: false,
      issues: [{ path: `secrets.${key}`, message: 'is required' }],
    });
  }
  return value;
}
