import { DriverError } from '@paved/model';
import { requireSecret, type ApplyResult, type DriverContext } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';
import { quoteIdent, quoteLiteral } from './quote.js';
import { scramVerifierAsync } from './scram.js';
import { isPgCode, wrapPgError } from './pg-errors.js';
import { allOutputs } from './outputs.js';
import { ensureLogin } from './logins.js';
import { restrictCatalogs } from './catalogs.js';
import { openDatabasesProblem } from './server-databases.js';

export const DEFAULT_CONNECTION_LIMIT = 20;

/** The connection limit an instance asks for (plan value `connectionLimit`), checked. */
export function wantedConnectionLimit(ctx: Pick<DriverContext, 'instance'>): number {
  const value = ctx.instance.values.connectionLimit ?? DEFAULT_CONNECTION_LIMIT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -1) {
    throw new DriverError(`postgres: connectionLimit for "${ctx.instance.externalName}" must be an integer ≥ -1`, {
      code: 'invalid_value',
      retryable: false,
      issues: [{ path: 'values.connectionLimit', message: 'must be an integer ≥ -1' }],
    });
  }
  return value;
}

/**
 * Create and update are the same walk: every step checks what is there and makes it so, so a
 * retry after a crash anywhere converges, and the password is reset every time (the secret
 * store holds the only copy of the truth). None of it can be one transaction: CREATE DATABASE
 * refuses to run inside one.
 *
 * `action` 'create' is a new instance's first walk (the engine calls create without observing,
 * createsUnobserved): nothing is read first, what exists is met as "already exists" (42710,
 * 42P04) and reset. An update reads the role and the database's owner first.
 */
export async function provision(connection: TargetConnection, ctx: DriverContext, action: 'create' | 'update'): Promise<ApplyResult> {
  const name = ctx.instance.externalName;
  const password = requireSecret('postgres', ctx, 'password');
  const limit = wantedConnectionLimit(ctx);
  const { pool } = connection;
  const ident = quoteIdent(name);
  // A failure is redacted of the password and, once computed, its verifier, whatever the step.
  const redacted = [password];
  // Computed on the thread pool (scram.ts) while the first statements go out.
  const verifying = scramVerifierAsync(password).then((verifier) => {
    redacted.push(verifier);
    return verifier;
  });
  verifying.catch(() => {}); // awaited by the steps that need it; not unhandled when an earlier one fails

  const step = async (stepName: string, run: () => Promise<void>) => {
    // Between steps is where a crash (or a cancelled reconcile) may stop us.
    ctx.signal.throwIfAborted();
    try {
      await run();
    } catch (error) {
      throw wrapPgError(error, stepName, name, redacted);
    }
  };

  const rotation = ctx.instance.rotation ?? 0;
  await step('close-server-databases', async () => {
    // Once per target: a tenant must not reach `postgres` or `template1` by PUBLIC's default right.
    const databases = await connection.serverDatabases();
    if (databases.open.length > 0) {
      throw new DriverError(`postgres: close-server-databases failed for "${name}": ${openDatabasesProblem(databases)}`, { code: 'permission_denied', retryable: false });
    }
  });

  // What ensure-role and ensure-database decide on, in one read: the role, and the database's
  // owner (a database created or given away meanwhile is handled where it is met: 42P04).
  let existing: { role: boolean; owner: string | null } = { role: false, owner: null };
  if (action === 'update') {
    await step('ensure-role', async () => {
      const found = await pool.query<{ role: boolean; owner: string | null }>(
        `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS role,
                (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1) AS owner`,
        [name],
      );
      existing = found.rows[0] ?? existing;
    });
  }

  // The role and the database are made at once, on two of the pool's connections: the
  // database is created owned by the admin (the role may not exist yet) and given to the role
  // in restrict-access, in the transaction that closes it. So the role's verifier and
  // CREATE ROLE's commit wait beside CREATE DATABASE's copy of the template instead of before it.
  const role = (async () => {
    await step('ensure-role', async () => {
      // Only the verifier is sent: a failed statement is logged in full by the server. After a
      // rotation the owner role holds no credential of its own (a login role does, see
      // logins.ts), so its login and password are left as the rotation steps set them.
      const verifier = await verifying;
      const settings = rotation === 0 ? `LOGIN PASSWORD ${quoteLiteral(verifier)} CONNECTION LIMIT ${limit}` : `CONNECTION LIMIT ${limit}`;
      if (!existing.role) {
        try {
          await pool.query(`CREATE ROLE ${ident} ${rotation === 0 ? settings : `NOLOGIN ${settings}`}`);
          return;
        } catch (error) {
          // It exists (an earlier walk's, or another worker won the race: duplicate_object): reset it.
          if (!isPgCode(error, '42710')) throw error;
        }
      }
      await pool.query(`ALTER ROLE ${ident} ${settings}`);
    });
    await step('grant-membership', async () => {
      // A non-superuser admin must be a member to give the database to the role (and, later,
      // to drop it and terminate its sessions). A superuser needs nothing.
      if (!(await connection.facts()).superuser) await pool.query(`GRANT ${ident} TO CURRENT_USER`);
    });
  })();

  // Whether this call created the database: then its ACL is still the default one (the owner
  // and PUBLIC only), and no other grantee needs looking for.
  let created = false;
  const database = step('ensure-database', async () => {
    if (existing.owner !== null) return;
    try {
      // Created closed to connections: PUBLIC holds CONNECT on a new database, and until
      // restrict-access revokes it, a crash would leave it open to every other tenant.
      await pool.query(`CREATE DATABASE ${ident} ALLOW_CONNECTIONS false`);
      created = true;
    } catch (error) {
      if (!isPgCode(error, '42P04')) throw error; // duplicate_database: an earlier walk's, or a concurrent create won
    }
  });
  // Both settle before the walk goes on or fails (nothing of it may still run after), and a
  // failure is reported as the earlier step's: the role's.
  const [roleDone, databaseDone] = await Promise.allSettled([role, database]);
  if (roleDone.status === 'rejected') throw roleDone.reason;
  if (databaseDone.status === 'rejected') throw databaseDone.reason;

  await step('restrict-access', async () => {
    // The owner first: the role owns the database from here on, as an ALTER of its own when an
    // earlier walk left it with another. Then only the owner may connect: not PUBLIC, which holds
    // CONNECT on every new database, nor any role granted rights behind Paved's back (observe
    // reports both as drift).
    // Read before the owner changes: the current owner's rights pass to the role with it, and
    // the role's own are not another's.
    const others = created
      ? []
      : (await pool.query<{ grantee: string }>(
          `SELECT DISTINCT pg_get_userbyid(a.grantee) AS grantee
             FROM pg_database d, aclexplode(d.datacl) a
            WHERE d.datname = $1 AND a.grantee NOT IN (0, d.datdba) AND pg_get_userbyid(a.grantee) <> $1`,
          [name],
        )).rows;
    await pool.query(
      `${existing.owner === name ? '' : `ALTER DATABASE ${ident} OWNER TO ${ident};`}
       REVOKE ALL ON DATABASE ${ident} FROM PUBLIC;
       ${others.map((row) => `REVOKE ALL ON DATABASE ${ident} FROM ${quoteIdent(row.grantee)};`).join('\n')}
       GRANT CONNECT, TEMPORARY ON DATABASE ${ident} TO ${ident};
       ALTER DATABASE ${ident} ALLOW_CONNECTIONS true`,
    );
  });

  await step('restrict-catalogs', async () => {
    // Who is connected where, who is a member of whom: closed inside the tenant's database
    // (catalogs.ts). Only a superuser may; preflight warns about any other admin.
    if ((await connection.facts()).superuser) await restrictCatalogs(connection.config, name);
  });

  let login = name;
  if (rotation > 0) {
    await step('ensure-login', async () => {
      login = await ensureLogin(connection, name, rotation, await verifying, limit);
    });
  }

  return { outputs: allOutputs(connection.config, name, password, login) };
}
