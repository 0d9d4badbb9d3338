import { credentialName, type ApplyResult, type RotationContext } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import type { TargetConnection } from './pools.js';
import { ensureLogin, terminateSessions } from './logins.js';
import { allOutputs } from './outputs.js';
import { wrapPgError } from './pg-errors.js';
import { wantedConnectionLimit } from './provision.js';
import { quoteIdent } from './quote.js';
import { scramVerifier } from './scram.js';

/**
 * Issues credential `ctx.instance.rotation` (≥ 1) as its own login role beside the previous
 * one, which keeps working: the owner role and the database are not touched.
 */
export async function rotate(connection: TargetConnection, ctx: RotationContext): Promise<ApplyResult> {
  const owner = ctx.instance.externalName;
  const rotation = ctx.instance.rotation ?? 0;
  const password = ctx.secrets.password;
  if (!password || rotation < 1) {
    throw new DriverError(`postgres: rotate of "${owner}" needs a "password" secret and a rotation of 1 or more`, {
      code: 'invalid_value',
      retryable: false,
      issues: [{ path: password ? 'instance.rotation' : 'secrets.password', message: password ? 'must be 1 or more' : 'is required' }],
    });
  }
  const verifier = scramVerifier(password);
  ctx.signal.throwIfAborted();
  try {
    const login = await ensureLogin(connection, owner, rotation, verifier, wantedConnectionLimit(ctx));
    return { outputs: allOutputs(connection.config, owner, password, login) };
  } catch (error) {
    throw wrapPgError(error, 'rotate', owner, [password, verifier]);
  }
}

/**
 * Removes credential `ctx.previousRotation`: credential 0 is the owner role itself, which keeps
 * owning the database but can no longer log in (NOLOGIN, no password); a later one is a login
 * role of its own, dropped. Sessions opened with it are ended either way. Idempotent.
 */
export async function revoke(connection: TargetConnection, ctx: RotationContext): Promise<void> {
  const owner = ctx.instance.externalName;
  const previous = ctx.previousRotation;
  const current = ctx.instance.rotation ?? 0;
  if (!Number.isInteger(previous) || previous < 0 || previous === current) {
    throw new DriverError(`postgres: cannot revoke credential ${previous} of "${owner}": it is not a previous credential (current is ${current})`, {
      code: 'invalid_value',
      retryable: false,
      issues: [{ path: 'previousRotation', message: 'must be a non-negative integer other than the current rotation' }],
    });
  }
  const retired = credentialName(owner, previous);
  const { pool } = connection;
  ctx.signal.throwIfAborted();
  try {
    const found = await pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [retired]);
    if (found.rowCount !== 0) {
      // No new session first, then end the open ones: nothing can slip in between.
      await pool.query(previous === 0 ? `ALTER ROLE ${quoteIdent(retired)} NOLOGIN PASSWORD NULL` : `ALTER ROLE ${quoteIdent(retired)} NOLOGIN`);
    }
    await terminateSessions(pool, [retired]);
    if (previous !== 0) await pool.query(`DROP ROLE IF EXISTS ${quoteIdent(retired)}`);
  } catch (error) {
    throw wrapPgError(error, 'revoke', owner);
  }
}
