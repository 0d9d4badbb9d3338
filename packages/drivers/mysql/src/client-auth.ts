/**
 * What a mysql2 client needs to log in as a tenant: mysql2 knows no `client_ed25519` of its own
 * ("Server requests authentication using unknown plugin client_ed25519"), so the contract
 * checks pass one, the client side of MariaDB's ed25519: the signature of the server's challenge
 * with the password (ed25519.ts). It sends the same bytes as the plugin applications are told to
 * use (@coresql/mysql2-auth-ed25519, products/mysql.md; ed25519.test.ts compares them), in a
 * fraction of its time. Harmless for native-password logins, which never ask for it.
 */
import type { ConnectionOptions } from 'mysql2';
import { ed25519Signature } from './ed25519.js';

/** MariaDB's challenge is 32 bytes; the switch request may carry a trailing NUL. */
const CHALLENGE_BYTES = 32;

type AuthPlugin = NonNullable<ConnectionOptions['authPlugins']>[string];

const clientEd25519: AuthPlugin = ({ connection }) => (challenge) => {
  const password = connection.config.password;
  return password ? ed25519Signature(password, challenge.subarray(0, CHALLENGE_BYTES)) : Buffer.alloc(0);
};

/** `authPlugins` for mysql2's connection options. */
export function tenantAuthPlugins(): NonNullable<ConnectionOptions['authPlugins']> {
  return { client_ed25519: clientEd25519 };
}
