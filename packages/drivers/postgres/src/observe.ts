import { credentialName, type DriverContext, type Observation } from '@paved/driver-api';
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
  /** The current credential's login ($2; the owner itself before any rotation). */
  login_exists: boolean;
  login_can_login: boolean | null;
  login_connection_limit: number | null;
  /** The login is a member of the owner and its sessions start as the owner. */
  login_member: boolean | null;
  login_sets_role: boolean | null;
}

// One read-only query. The ACL is expanded with acldefault when it is still NULL, because a
// NULL datacl means the default one, in which PUBLIC may connect.
const OBSERVE_SQL = `
SELECT r.oid IS NOT NULL AS role_exists, r.rolcanlogin AS can_login, r.rolconnlimit AS connection_limit,
       d.oid IS NOT NULL AS database_exists, pg_get_userbyid(d.datdba) AS owner, d.datallowconn AS allow_connections,
       ARRAY(SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END
               FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
              WHERE a.privilege_type = 'CONNECT' AND a.grantee <> d.datdba
              ORDER BY 1) AS others_connect,
       l.oid IS NOT NULL AS login_exists, l.rolcanlogin AS login_can_login, l.rolconnlimit AS login_connection_limit,
       CASE WHEN l.oid IS NOT NULL AND r.oid IS NOT NULL THEN pg_has_role(l.oid, r.oid, 'USAGE') END AS login_member,
       ('role=' || k.name) = ANY(coalesce(l.rolconfig, '{}')) AS login_sets_role
  FROM (SELECT $1::name AS name, $2::name AS login) k
  LEFT JOIN pg_roles r ON r.rolname = k.name
  LEFT JOIN pg_roles l ON l.rolname = k.login
  LEFT JOIN pg_database d ON d.datname = k.name`;

/**
 * What exists for an instance and how it differs from what it asks for. Reads only. The
 * password cannot be compared (the server keeps a salted verifier), so it is not drift here;
 * create and update reset it anyway.
 */
export async function observe(connection: TargetConnection, ctx: DriverContext): Promise<Observation> {
  const name = ctx.instance.externalName;
  const rotation = ctx.instance.rotation ?? 0;
  const login = credentialName(name, rotation);
  const wantedLimit = wantedConnectionLimit(ctx);
  let row: ObservedRow | undefined;
  try {
    row = (await connection.pool.query<ObservedRow>(OBSERVE_SQL, [name, login])).rows[0];
  } catch (error) {
    throw wrapPgError(error, 'observe', name);
  }
  if (!row || (!row.role_exists && !row.database_exists)) return { exists: false, upToDate: false, diff: [] };
  const diff: string[] = [];
  if (!row.role_exists) diff.push(`role "${name}" is missing`);
  else {
    if (rotation === 0 && !row.can_login) diff.push(`role "${name}" cannot log in`);
    if (row.connection_limit !== wantedLimit) diff.push(`role "${name}" connection limit is ${row.connection_limit}, wants ${wantedLimit}`);
  }
  if (rotation > 0) {
    if (!row.login_exists) diff.push(`login "${login}" is missing`);
    else {
      if (!row.login_can_login) diff.push(`login "${login}" cannot log in`);
      if (row.login_connection_limit !== wantedLimit) diff.push(`login "${login}" connection limit is ${row.login_connection_limit}, wants ${wantedLimit}`);
      if (row.login_member === false) diff.push(`login "${login}" is not a member of role "${name}"`);
      if (!row.login_sets_role) diff.push(`login "${login}" does not start its sessions as role "${name}"`);
    }
  }
  if (!row.database_exists) diff.push(`database "${name}" is missing`);
  else {
    if (row.owner !== name) diff.push(`database "${name}" is owned by "${row.owner}"`);
    if (!row.allow_connections) diff.push(`database "${name}" does not allow connections`);
    for (const other of row.others_connect) diff.push(`${other === 'PUBLIC' ? 'PUBLIC' : `role "${other}"`} may connect to database "${name}"`);
  }
  return { exists: true, upToDate: diff.length === 0, diff, outputs: publicOutputs(connection.config, name, login) };
}
