/**
 * What a mysql2 client needs to log in as a tenant: mysql2 knows no `client_ed25519` of its own
 * ("Server requests authentication using unknown plugin client_ed25519"), so the contract
 * checks, like an application, pass MariaDB's client side of it (@coresql/mysql2-auth-ed25519,
 * a fork of the MariaDB Node connector's implementation). Harmless for native-password logins.
 */
import { createRequire } from 'node:module';
import type Ed25519Module from '@coresql/mysql2-auth-ed25519';
import type { ConnectionOptions } from 'mysql2';

// A CommonJS module whose `exports.default` is the plugin factory; loaded on the first tenant
// login a check makes, as most Paveds never reach MySQL (bench/footprint.mjs). A bundler's
// interop may hand the factory itself.
type Factory = typeof Ed25519Module.default;
const require = createRequire(import.meta.url);
let ed25519: Factory | undefined;
function ed25519Factory(): Factory {
  if (ed25519) return ed25519;
  const loaded = require('@coresql/mysql2-auth-ed25519') as typeof Ed25519Module | Factory;
  return (ed25519 = typeof loaded === 'function' ? (loaded as Factory) : loaded.default);
}

/** `authPlugins` for mysql2's connection options. */
export function tenantAuthPlugins(): NonNullable<ConnectionOptions['authPlugins']> {
  return { client_ed25519: ed25519Factory()() as NonNullable<ConnectionOptions['authPlugins']>[string] };
}
