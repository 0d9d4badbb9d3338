import type { RowDataPacket } from 'mysql2/promise';
import type { DriverContext, Observation } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';
import { wrapMysqlError } from './mysql-errors.js';
import { publicOutputs } from './outputs.js';
import { wantedResource } from './spec.js';
import { credentialAccounts } from './accounts.js';
import { grantPattern } from './quote.js';
import { nativePasswordHash } from './native-password.js';
import { strayPrivileges } from './provision.js';

/** Database-level privileges a tenant needs on its database (a subset of ALL, present on every MariaDB ≥ 10.4). */
const CORE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'INDEX', 'CREATE TEMPORARY TABLES', 'LOCK TABLES'];

/**
 * What exists for an instance and how it differs from what it asks for. Reads only. The stored
 * mysql_native_password hash is unsalted, so the password itself is compared too.
 */
export async function observe(connection: TargetConnection, ctx: DriverContext): Promise<Observation> {
  const { database, username, connectionLimit } = wantedResource(ctx);
  const { pool } = connection;
  try {
    const [schemas] = await pool.execute<RowDataPacket[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
    const accounts = await credentialAccounts(pool, database);
    if (schemas.length === 0 && accounts.length === 0) return { exists: false, upToDate: false, diff: [] };

    const diff: string[] = [];
    if (schemas.length === 0) diff.push(`database "${database}" is missing`);
    const [users] = await pool.execute<RowDataPacket[]>(
      "SELECT authentication_string AS hash, max_user_connections AS max FROM mysql.user WHERE User = ? AND Host = '%'",
      [username],
    );
    const user = users[0];
    if (!user) diff.push(`user "${username}" is missing`);
    else {
      const password = ctx.secrets.password;
      if (password && String(user.hash) !== nativePasswordHash(password)) diff.push(`user "${username}" has a different password than the one Paved issued`);
      if (Number(user.max) !== connectionLimit) diff.push(`user "${username}" allows ${Number(user.max)} connections, wants ${connectionLimit}`);
      diff.push(...(await privilegeDiff(connection, username, database)));
    }
    return { exists: true, upToDate: diff.length === 0, diff, outputs: publicOutputs(connection.config, database, username) };
  } catch (error) {
    throw wrapMysqlError(error, 'observe', database);
  }
}

async function privilegeDiff(connection: TargetConnection, username: string, database: string): Promise<string[]> {
  const pattern = grantPattern(database);
  const [rows] = await connection.pool.execute<RowDataPacket[]>(
    'SELECT TABLE_SCHEMA AS pattern, PRIVILEGE_TYPE AS privilege FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?',
    [`'${username}'@'%'`],
  );
  const held = new Set(rows.filter((row) => String(row.pattern) === pattern).map((row) => String(row.privilege)));
  const missing = CORE_PRIVILEGES.filter((privilege) => !held.has(privilege));
  const diff = missing.length > 0 ? [`user "${username}" lacks ${missing.join(', ')} on database "${database}"`] : [];
  for (const stray of await strayPrivileges(connection, username, pattern)) diff.push(`user "${username}" holds ${stray}`);
  return diff;
}
