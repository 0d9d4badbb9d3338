/**
 * What a mysql2 client needs to log in as a tenant: mysql2 knows no `client_ed25519` of its own
 * ("Server requests authentication using unknown plugin client_ed25519"), so the contract
 * checks, like an application, pass MariaDB's client side of it (@coresql/mysql2-auth-ed25519,
 * a fork of the MariaDB Node connector's implementation). Harmless for native-password logins.
 */
import ed25519Module from '@coresql/mysql2-auth-ed25519';
import type { ConnectionOptions } from 'mysql2';

// A CommonJS module whose `exports.default` is the plugin factory: Node hands ESM the whole
// exports object, while a bundler's interop (vitest) may hand the factory itself.
type Factory = typeof ed25519Module.default;
const ed25519: Factory = typeof ed25519Module === 'function' ? (ed25519Module as Factory) : ed25519Module.default;

/** `authPlugins` for mysql2's connection options. */
export function tenantAuthPlugins(): NonNullable<ConnectionOptions['authPlugins']> {
  return { client_ed25519: ed25519() as NonNullable<ConnectionOptions['authPlugins']>[string] };
}
