import type { DriverContext, Observation } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';
import { wrapPgError } from './pg-errors.js';
import { publicOutputs } from './outputs.js';
import { wantedConnectionLimit } from './provision.js';

interface ObservedRow {
  role_exists: boolean;
  can_login: boolean | null;
  connection_limit: number | null;
  database_exists: boolean;
  owner: string | null;
  allow_connections: boolean | null;
  /** Everyone besides the owner who may connect: 'PUBLIC' or role names. */
  others_connect: string[];
}

// One read-only query. The ACL is expanded with acldefault when it is still NULL, because a
// NULL datacl means the default one, in which PUBLIC may connect.
const OBSERVE_SQL = `
SELECT r.oid IS NOT NULL AS role_exists, r.rolcanlogin AS can_login, r.rolconnlimit AS connection_limit,
       d.oid IS NOT NULL AS database_exists, pg_get_userbyid(d.datdba) AS owner, d.datallowconn AS allow_connections,
       ARRAY(SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END
               FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
              WHERE a.privilege_type = 'CONNECT' AND a.grantee <> d.datdba
              ORDER BY 1) AS others_connect
  FROM (SELECT $1::name AS name) k
  LEFT JOIN pg_roles r ON r.rolname = k.name
  LEFT JOIN pg_database d ON d.datname = k.name`;

/**
 * What exists for an instance and how it differs from what it asks for. Reads only. The
 * password cannot be compared (the server keeps a salted verifier), so it is not drift here;
 * create and update reset it anyway.
 */
export async function observe(connection: TargetConnection, ctx: DriverContext): Promise<Observation> {
  const name = ctx.instance.externalName;
  const wantedLimit = wantedConnectionLimit(ctx);
  let row: ObservedRow | undefined;
  try {
    row = (await connection.pool.query<ObservedRow>(OBSERVE_SQL, [name])).rows[0];
  } catch (error) {
    throw wrapPgError(error, 'observe', name);
  }
  if (!row || (!row.role_exists && !row.database_exists)) return { exists: false, upToDate: false, diff: [] };
  const diff: string[] = [];
  if (!row.role_exists) diff.push(`role "${name}" is missing`);
  else {
    if (!row.can_login) diff.push(`role "${name}" cannot log in`);
    if (row.connection_limit !== wantedLimit) diff.push(`role "${name}" connection limit is ${row.connection_limit}, wants ${wantedLimit}`);
  }
  if (!row.database_exists) diff.push(`database "${name}" is missing`);
  else {
    if (row.owner !== name) diff.push(`database "${name}" is owned by "${row.owner}"`);
    if (!row.allow_connections) diff.push(`database "${name}" does not allow connections`);
    for (const other of row.others_connect) diff.push(`${other === 'PUBLIC' ? 'PUBLIC' : `role "${other}"`} may connect to database "${name}"`);
  }
  return { exists: true, upToDate: diff.length === 0, diff, outputs: publicOutputs(connection.config, name) };
}
