/**
 * How tenant logins authenticate. `mysql_native_password` stores an unsalted SHA1(SHA1(pw)):
 * one leaked `mysql.user` row is a password cracked offline at GPU speed, and the same password
 * gives the same hash everywhere. MariaDB's `ed25519` plugin stores an Ed25519 public key
 * derived from the password, and the client proves it holds the password by signing the
 * server's random challenge, so nothing replayable crosses the wire. Both let Paved send a
 * derived value instead of the password (`IDENTIFIED BY PASSWORD '*…'` / `IDENTIFIED VIA
 * ed25519 USING '<public key>'`), so the plaintext never reaches the server's logs.
 *
 * MariaDB ships ed25519 as a plugin library that is not loaded by default; the driver loads it
 * (`INSTALL SONAME 'auth_ed25519'`, which persists) and falls back to mysql_native_password only
 * where the server cannot, which preflight reports as a warning.
 */
import type { RowDataPacket } from 'mysql2/promise';
import type mysql from 'mysql2/promise';
import { errorLine } from '@paved/driver-api';
import { nativePasswordHash } from './native-password.js';
import { ed25519PublicKey } from './ed25519.js';
import { quoteLiteral } from './quote.js';
import type { AuthPlugin, MysqlTargetConfig } from './target-config.js';

export interface AuthChoice {
  plugin: AuthPlugin;
  /** Why ed25519 was wanted but is not used: for preflight's warning. */
  fallback?: string;
}

/** What `mysql.user.authentication_string` holds for `password` under `plugin`. */
export function storedCredential(plugin: AuthPlugin, password: string): string {
  return plugin === 'ed25519' ? ed25519PublicKey(password) : nativePasswordHash(password);
}

/** The IDENTIFIED clause of CREATE/ALTER USER for `stored` (storedCredential's): a derived value only, never the password. */
export function identifiedClause(plugin: AuthPlugin, stored: string): string {
  const literal = quoteLiteral(stored);
  return plugin === 'ed25519' ? `IDENTIFIED VIA ed25519 USING ${literal}` : `IDENTIFIED BY PASSWORD ${literal}`;
}

async function ed25519Active(pool: mysql.Pool): Promise<boolean> {
  const [rows] = await pool.query<RowDataPacket[]>("SELECT PLUGIN_STATUS AS status FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'ed25519'");
  return rows[0]?.status === 'ACTIVE';
}

/**
 * The plugin tenant logins get on this target. With `install`, a missing ed25519 is loaded
 * first; without (observe, which changes nothing), only what is there counts. A failed install
 * (no library, no right) is the fallback's reason; a concurrent install that won is fine.
 */
export async function chooseAuth(pool: mysql.Pool, config: MysqlTargetConfig, options: { install: boolean }): Promise<AuthChoice> {
  if (config.authPlugin === 'mysql_native_password') return { plugin: 'mysql_native_password' };
  if (await ed25519Active(pool)) return { plugin: 'ed25519' };
  if (!options.install) return { plugin: 'mysql_native_password', fallback: 'the ed25519 plugin is not loaded' };
  let reason = 'the ed25519 plugin did not become active';
  try {
    await pool.query("INSTALL SONAME 'auth_ed25519'");
  } catch (error) {
    reason = `INSTALL SONAME 'auth_ed25519' failed: ${errorLine(error, [config.admin.password])}`;
  }
  return (await ed25519Active(pool)) ? { plugin: 'ed25519' } : { plugin: 'mysql_native_password', fallback: reason };
}
