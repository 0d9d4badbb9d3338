import { credentialName } from '@paved/driver-api';

/** The vhost of an instance is its external name; its users are `credentialName(externalName, n)`. */
export function vhostName(externalName: string): string {
  return externalName;
}

/**
 * Whether `user` is one of the resource's logins, at any rotation. External names end in
 * `_<8 hex>` (model externalNameFor), so `<other>_r<digits>` can never be another resource's
 * base name: the pattern cannot catch a neighbour's user.
 */
export function isCredentialOf(externalName: string, user: string): boolean {
  if (user === externalName) return true;
  if (!user.startsWith(`${externalName}_r`)) return false;
  return /^\d+$/.test(user.slice(externalName.length + 2));
}

export { credentialName };
