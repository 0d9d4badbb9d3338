import { DriverError } from '@paved/model';
import { requireSecret, type ApplyResult, type DriverContext } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';
import { quoteIdent, quoteLiteral } from './quote.js';
import { scramVerifier } from './scram.js';
import { isPgCode, wrapPgError } from './pg-errors.js';
import { allOutputs } from './outputs.js';
import { ensureLogin } from './logins.js';
import { restrictCatalogs } from './catalogs.js';
import { openDatabasesProblem } from './server-databases.js';

export const DEFAULT_CONNECTION_LIMIT = 20;

/** The connection limit an instance asks for (plan value `connectionLimit`), checked. */
export function wantedConnectionLimit(ctx: DriverContext): number {
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
 */
export async function provision(connection: TargetConnection, ctx: DriverContext): Promise<ApplyResult> {
  const name = ctx.instance.externalName;
  const password = requireSecret('postgres', ctx, 'password');
  const limit = wantedConnectionLimit(ctx);
  const verifier = scramVerifier(password);
  const { pool } = connection;
  const ident = quoteIdent(name);

  const step = async (stepName: string, run: () => Promise<void>) => {
    // Between steps is where a crash (or a cancelled reconcile) may stop us.
    ctx.signal.throwIfAborted();
    try {
      await run();
    } catch (error) {
      throw wrapPgError(error, stepName, name, [password, verifier]);
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
  await step('ensure-role', async () => {
    // Only the verifier is sent: a failed statement is logged in full by the server. After a
    // rotation the owner role holds no credential of its own (a login role does, see
    // logins.ts), so its login and password are left as the rotation steps set them.
    const settings = rotation === 0 ? `LOGIN PASSWORD ${quoteLiteral(verifier)} CONNECTION LIMIT ${limit}` : `CONNECTION LIMIT ${limit}`;
    const found = await pool.query<{ role: boolean; owner: string | null }>(
      `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS role,
              (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1) AS owner`,
      [name],
    );
    existing = found.rows[0] ?? existing;
    if (!existing.role) {
      try {
        await pool.query(`CREATE ROLE ${ident} ${rotation === 0 ? settings : `NOLOGIN ${settings}`}`);
        return;
      } catch (error) {
        // Another worker won the race (duplicate_object): fall through and reset it.
        if (!isPgCode(error, '42710')) throw error;
      }
    }
    await pool.query(`ALTER ROLE ${ident} ${settings}`);
  });

  await step('grant-membership', async () => {
    // A non-superuser admin must be a member to create a database owned by the role (and,
    // later, to drop it and terminate its sessions). A superuser needs nothing.
    if (!(await connection.facts()).superuser) await pool.query(`GRANT ${ident} TO CURRENT_USER`);
  });

  // Whether this call created the database: then its ACL is still the default one (the owner
  // and PUBLIC only), and no other grantee needs looking for.
  let created = false;
  await step('ensure-database', async () => {
    const { owner } = existing;
    if (owner === null) {
      try {
        // Created closed to connections: PUBLIC holds CONNECT on a new database, and until the
        // next step revokes it, a crash would leave it open to every other tenant.
        await pool.query(`CREATE DATABASE ${ident} OWNER ${ident} ALLOW_CONNECTIONS false`);
        created = true;
      } catch (error) {
        if (!isPgCode(error, '42P04')) throw error; // duplicate_database: a concurrent create won
        await pool.query(`ALTER DATABASE ${ident} OWNER TO ${ident}`);
      }
    } else if (owner !== name) {
      await pool.query(`ALTER DATABASE ${ident} OWNER TO ${ident}`);
    }
  });

  await step('restrict-access', async () => {
    // Only the owner may connect: not PUBLIC, which holds CONNECT on every new database, nor any
    // role granted rights behind Paved's back (observe reports both as drift).
    const others = created
      ? []
      : (await pool.query<{ grantee: string }>(
          `SELECT DISTINCT pg_get_userbyid(a.grantee) AS grantee
             FROM pg_database d, aclexplode(d.datacl) a
            WHERE d.datname = $1 AND a.grantee NOT IN (0, d.datdba)`,
          [name],
        )).rows;
    await pool.query(
      `REVOKE ALL ON DATABASE ${ident} FROM PUBLIC;
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
      login = await ensureLogin(connection, name, rotation, verifier, limit);
    });
  }

  return { outputs: allOutputs(connection.config, name, password, login) };
}
