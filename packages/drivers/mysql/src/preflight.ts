import type { RowDataPacket } from 'mysql2/promise';
import { cannotConnect, errorLine, type PreflightResult } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';

/**
 * Global privileges the admin needs. GRANT ALL ON db.* requires the granter to hold every
 * database-level privilege WITH GRANT OPTION; the rest create users, read the process list and
 * kill sessions.
 */
const GRANTABLE = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'REFERENCES', 'INDEX', 'ALTER', 'CREATE TEMPORARY TABLES', 'LOCK TABLES', 'EXECUTE', 'CREATE VIEW', 'SHOW VIEW', 'CREATE ROUTINE', 'ALTER ROUTINE', 'EVENT', 'TRIGGER'];
const PLAIN = ['CREATE USER', 'PROCESS'];

/** Can we provision on this target at all? One line per problem, each with its fix. Never throws. */
export async function preflight(connection: TargetConnection): Promise<PreflightResult> {
  const { pool, config } = connection;
  let version: string;
  let account: string;
  let privileges: Map<string, boolean>;
  let anonymous: string[];
  try {
    const [facts] = await pool.query<RowDataPacket[]>('SELECT VERSION() AS version, CURRENT_USER() AS account');
    version = String(facts[0]?.version ?? '');
    const current = String(facts[0]?.account ?? '');
    const at = current.lastIndexOf('@');
    account = `'${current.slice(0, at)}'@'${current.slice(at + 1)}'`;
    const [rows] = await pool.execute<RowDataPacket[]>('SELECT PRIVILEGE_TYPE AS privilege, IS_GRANTABLE AS grantable FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?', [account]);
    privileges = new Map(rows.map((row) => [String(row.privilege), row.grantable === 'YES']));
    const [anon] = privileges.has('SELECT') ? await pool.query<RowDataPacket[]>("SELECT Host AS host FROM mysql.user WHERE User = ''") : [[]];
    anonymous = (anon as RowDataPacket[]).map((row) => String(row.host));
  } catch (error) {
    return { ok: false, problems: [cannotConnect('MariaDB', config.admin, error)] };
  }

  const problems: string[] = [];
  const fix = `GRANT ALL PRIVILEGES ON *.* TO ${account} WITH GRANT OPTION`;
  const match = /^(\d+)\.(\d+)/.exec(version);
  const [major, minor] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!/mariadb/i.test(version)) {
    problems.push(`server ${version} is not MariaDB: MySQL 8 no longer accepts password hashes (IDENTIFIED BY PASSWORD); point the target at MariaDB 10.4 or later`);
  } else if (major < 10 || (major === 10 && minor < 4)) {
    problems.push(`MariaDB ${version} is older than 10.4; upgrade the server`);
  }
  const missing = [...GRANTABLE, ...PLAIN].filter((privilege) => !privileges.has(privilege));
  if (!privileges.has('SUPER') && !privileges.has('CONNECTION ADMIN')) missing.push('CONNECTION ADMIN');
  if (!privileges.has('SELECT')) missing.push('SELECT');
  if (missing.length > 0) problems.push(`admin ${account} lacks ${[...new Set(missing)].join(', ')}; run as root: ${fix}`);
  const notGrantable = GRANTABLE.filter((privilege) => privileges.has(privilege) && !privileges.get(privilege));
  if (notGrantable.length > 0) problems.push(`admin ${account} cannot grant ${notGrantable.join(', ')} to tenants; run as root: ${fix}`);
  // An anonymous account on a host may be a better match than a tenant's account for clients
  // from that host (always than 'tenant'@'%'), so tenants would be refused with their own password.
  for (const host of anonymous) problems.push(`anonymous account ''@'${host}' shadows tenant logins from that host; remove it: DROP USER ''@'${host}'`);
  const warnings: string[] = [];
  if (problems.length === 0) {
    try {
      const { fallback } = await connection.auth();
      if (fallback !== undefined) warnings.push(`tenant logins use mysql_native_password (an unsalted SHA-1 hash) because ${fallback}; as root run INSTALL SONAME 'auth_ed25519' (the library ships with MariaDB), or set config.authPlugin: mysql_native_password to choose it`);
    } catch (error) {
      problems.push(`cannot read the server's authentication plugins: ${errorLine(error, [config.admin.password])}`);
    }
  }
  if (config.clientHostsDefaulted) {
    warnings.push(`config.clientHosts is not set, so tenants may connect from this server's own host only (${config.clientHosts.join(', ')}); list your applications' addresses, e.g. clientHosts: ["10.0.0.0/255.255.0.0"] ("%" for anywhere)`);
  }
  return { ok: problems.length === 0, problems, version: `MariaDB ${version.split('-')[0]}`, ...(warnings.length > 0 ? { warnings } : {}) };
}
