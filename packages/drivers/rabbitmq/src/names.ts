/** The vhost of an instance is its external name; its users are `credentialName(externalName, n)`. */
export function vhostName(externalName: string): string {
  return externalName;
}
