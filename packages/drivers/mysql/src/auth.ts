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
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Noble from '@noble/ed25519';
import type { RowDataPacket } from 'mysql2/promise';
import type mysql from 'mysql2/promise';
import { errorLine } from '@paved/driver-api';
import { nativePasswordHash } from './native-password.js';
import { quoteLiteral } from './quote.js';
import type { AuthPlugin, MysqlTargetConfig } from './target-config.js';

const require = createRequire(import.meta.url);
let noble: typeof Noble | undefined;
/** @noble/ed25519, loaded on the first ed25519 login issued: most Paveds never reach MySQL (bench/footprint.mjs). Node ≥ 20.19 requires an ES module. */
const ed25519Point = (): typeof Noble.Point => (noble ??= require('@noble/ed25519') as typeof Noble).Point;

export interface AuthChoice {
  plugin: AuthPlugin;
  /** Why ed25519 was wanted but is not used: for preflight's warning. */
  fallback?: string;
}

/**
 * MariaDB's ed25519 "password hash": the Ed25519 public key whose secret scalar comes from
 * SHA-512 of the password itself (not of a 32-byte seed, as in RFC 8032, which is why
 * node:crypto's Ed25519 keys cannot be used), base64 without padding, as `mysql.user` keeps it.
 */
export function ed25519PublicKey(password: string): string {
  const digest = createHash('sha512').update(password, 'utf8').digest();
  const scalar = Buffer.from(digest.subarray(0, 32));
  scalar[0]! &= 248;
  scalar[31]! &= 127;
  scalar[31]! |= 64;
  let n = 0n;
  for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(scalar[i]!);
  // The base point has order L, so reducing the clamped scalar changes nothing but lets the
  // library's constant-time multiplication take it.
  const Point = ed25519Point();
  const point = Point.BASE.multiply(n % Point.CURVE().n);
  return Buffer.from(point.toBytes()).toString('base64').replace(/=+$/, '');
}

/** What `mysql.user.authentication_string` holds for `password` under `plugin`. */
export function storedCredential(plugin: AuthPlugin, password: string): string {
  return plugin === 'ed25519' ? ed25519PublicKey(password) : nativePasswordHash(password);
}

/** The IDENTIFIED clause of CREATE/ALTER USER: a derived value only, never the password. */
export function identifiedClause(plugin: AuthPlugin, password: string): string {
  const stored = quoteLiteral(storedCredential(plugin, password));
  return plugin === 'ed25519' ? `IDENTIFIED VIA ed25519 USING ${stored}` : `IDENTIFIED BY PASSWORD ${stored}`;
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
