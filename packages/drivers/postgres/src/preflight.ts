import { cannotConnect, errorLine, type PreflightResult } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';
import { HIDDEN_CATALOGS } from './catalogs.js';
import { openDatabasesProblem } from './server-databases.js';

interface AdminRow {
  version: string;
  num: string;
  rolname: string;
  rolsuper: boolean;
  rolcreaterole: boolean;
  rolcreatedb: boolean;
}

/** Can we provision on this target at all? One line per problem, each with its fix. Never throws. */
export async function preflight(connection: TargetConnection): Promise<PreflightResult> {
  let row: AdminRow | undefined;
  try {
    const result = await connection.pool.query<AdminRow>(
      `SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num,
              rolname, rolsuper, rolcreaterole, rolcreatedb
         FROM pg_roles WHERE rolname = current_user`,
    );
    row = result.rows[0];
  } catch (error) {
    return { ok: false, problems: [cannotConnect('PostgreSQL', connection.config.admin, error)] };
  }
  if (!row) return { ok: false, problems: ['the admin role was not found in pg_roles; connect as a role that exists'] };
  const problems: string[] = [];
  const version = `PostgreSQL ${row.version.split(' ')[0]}`;
  if (!row.rolsuper) {
    const ident = `"${row.rolname.replace(/"/g, '""')}"`;
    if (!row.rolcreaterole) problems.push(`role ${ident} cannot create roles; run as a superuser: ALTER ROLE ${ident} CREATEROLE`);
    if (!row.rolcreatedb) problems.push(`role ${ident} cannot create databases; run as a superuser: ALTER ROLE ${ident} CREATEDB`);
  }
  if (Number(row.num) < 130000) problems.push(`${version} is older than 13: deletion cannot force sessions off a database; upgrade the server`);
  const warnings: string[] = [];
  if (problems.length === 0) {
    // A superuser admin closes them here and now (server-databases.ts); any other may not.
    try {
      const databases = await connection.serverDatabases();
      if (databases.open.length > 0) problems.push(openDatabasesProblem(databases));
    } catch (error) {
      problems.push(`cannot close the server's own databases to PUBLIC: ${errorLine(error, [connection.config.admin.password])}`);
    }
    if (!row.rolsuper) {
      const catalogs = HIDDEN_CATALOGS.map((name) => name.replace('pg_catalog.', '')).join(', ');
      warnings.push(`the admin is not a superuser, so tenants can still read ${catalogs} in their databases (other tenants' logins, database names and client addresses); only a superuser admin can take SELECT on them away from PUBLIC`);
    }
  }
  return { ok: problems.length === 0, problems, version, ...(warnings.length > 0 ? { warnings } : {}) };
}
