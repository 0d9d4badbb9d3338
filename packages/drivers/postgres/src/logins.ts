import type pg from 'pg';
import { credentialName } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';
import { quoteIdent, quoteLiteral } from './quote.js';
import { isPgCode } from './pg-errors.js';

/**
 * Logins after a rotation. The owner role `<ext>` owns the database; credential n ≥ 1 is a
 * separate login role `<ext>_r<n>` that is a member of the owner (INHERIT, so the database's
 * CONNECT grant to the owner covers it) and whose sessions start with `SET ROLE <ext>`, so the
 * tables it creates belong to the owner and survive the login's removal.
 */

/** Every role holding a credential of `externalName`, whatever rotation it is at (the owner included). */
export async function credentialRoles(pool: pg.Pool, externalName: string): Promise<string[]> {
  // External names are [a-z0-9_] only, so splicing one into the pattern is safe.
  const { rows } = await pool.query<{ rolname: string }>(
    `SELECT rolname FROM pg_roles WHERE rolname = $1 OR rolname ~ ('^' || $1 || '_r[0-9]+$') ORDER BY rolname = $1, rolname`,
    [externalName],
  );
  return rows.map((row) => row.rolname);
}

/** Creates or resets login `credentialName(owner, rotation)`: password, connection limit, membership, default role. Idempotent. */
export async function ensureLogin(connection: TargetConnection, owner: string, rotation: number, verifier: string, limit: number): Promise<string> {
  const login = credentialName(owner, rotation);
  const { pool } = connection;
  const ident = quoteIdent(login);
  const settings = `LOGIN INHERIT PASSWORD ${quoteLiteral(verifier)} CONNECTION LIMIT ${limit}`;
  const found = await pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [login]);
  let created = false;
  if (found.rowCount === 0) {
    try {
      await pool.query(`CREATE ROLE ${ident} ${settings} IN ROLE ${quoteIdent(owner)}`);
      created = true;
    } catch (error) {
      if (!isPgCode(error, '42710')) throw error; // a concurrent create won: reset it below
    }
  }
  if (!created) {
    await pool.query(`ALTER ROLE ${ident} ${settings}`);
    await pool.query(`GRANT ${quoteIdent(owner)} TO ${ident}`);
  }
  await pool.query(`ALTER ROLE ${ident} SET role = ${quoteLiteral(owner)}`);
  // A non-superuser admin must be a member to end this login's sessions and drop it later.
  if (!(await connection.facts()).superuser) await pool.query(`GRANT ${ident} TO CURRENT_USER`);
  return login;
}

/** Ends every session of `roles` (other than our own). */
export async function terminateSessions(pool: pg.Pool, roles: readonly string[]): Promise<void> {
  if (roles.length === 0) return;
  await pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ANY($1::text[]) AND pid <> pg_backend_pid()', [roles]);
}
