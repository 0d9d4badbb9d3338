import type { RowDataPacket } from 'mysql2/promise';
import type { DriverContext, Observation } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';
import { wrapMysqlError } from './mysql-errors.js';
import { publicOutputs } from './outputs.js';
import { wantedResource } from './spec.js';
import { credentialAccounts } from './accounts.js';
import { grantPattern } from './quote.js';
import { chooseAuth, storedCredential } from './auth.js';
import { strayPrivileges } from './provision.js';

/** Database-level privileges a tenant needs on its database (a subset of ALL, present on every MariaDB ≥ 10.4). */
const CORE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'INDEX', 'CREATE TEMPORARY TABLES', 'LOCK TABLES'];

/**
 * What exists for an instance and how it differs from what it asks for. Reads only: the plugin
 * wanted is what the server has loaded now (create loads it). Both stored forms, ed25519's
 * public key and mysql_native_password's hash, are unsalted, so the password is compared too.
 */
export async function observe(connection: TargetConnection, ctx: DriverContext): Promise<Observation> {
  const { database, username, connectionLimit } = wantedResource(ctx);
  const { pool, config } = connection;
  try {
    // Both reads at once (the pool has connections to spare): a new instance needs only these.
    const [[schemas], accounts] = await Promise.all([
      pool.execute<RowDataPacket[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]),
      credentialAccounts(pool, database),
    ]);
    if (schemas.length === 0 && accounts.length === 0) return { exists: false, upToDate: false, diff: [] };

    const diff: string[] = [];
    if (schemas.length === 0) diff.push(`database "${database}" is missing`);
    const { plugin } = await chooseAuth(pool, config, { install: false });
    const [users] = await pool.execute<RowDataPacket[]>(
      'SELECT Host AS host, plugin, authentication_string AS stored, max_user_connections AS max FROM mysql.user WHERE User = ?',
      [username],
    );
    const byHost = new Map(users.map((user) => [String(user.host), user]));
    for (const host of config.clientHosts) {
      const user = byHost.get(host);
      const account = `"${username}"@"${host}"`;
      if (!user) {
        diff.push(`user ${account} is missing`);
        continue;
      }
      const password = ctx.secrets.password;
      if (String(user.plugin) !== plugin) diff.push(`user ${account} authenticates with ${String(user.plugin) || 'mysql_native_password'}, wants ${plugin}`);
      else if (password && String(user.stored) !== storedCredential(plugin, password)) diff.push(`user ${account} has a different password than the one Paved issued`);
      if (Number(user.max) !== connectionLimit) diff.push(`user ${account} allows ${Number(user.max)} connections, wants ${connectionLimit}`);
      diff.push(...(await privilegeDiff(connection, username, host, database)));
    }
    for (const host of byHost.keys()) {
      if (!config.clientHosts.includes(host)) diff.push(`user "${username}" may connect from "${host}", which the target does not list in clientHosts`);
    }
    return { exists: true, upToDate: diff.length === 0, diff, outputs: publicOutputs(connection.config, database, username) };
  } catch (error) {
    throw wrapMysqlError(error, 'observe', database);
  }
}

async function privilegeDiff(connection: TargetConnection, username: string, host: string, database: string): Promise<string[]> {
  const pattern = grantPattern(database);
  const [rows] = await connection.pool.execute<RowDataPacket[]>(
    'SELECT TABLE_SCHEMA AS pattern, PRIVILEGE_TYPE AS privilege FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?',
    [`'${username}'@'${host}'`],
  );
  const account = `"${username}"@"${host}"`;
  const held = new Set(rows.filter((row) => String(row.pattern) === pattern).map((row) => String(row.privilege)));
  const missing = CORE_PRIVILEGES.filter((privilege) => !held.has(privilege));
  const diff = missing.length > 0 ? [`user ${account} lacks ${missing.join(', ')} on database "${database}"`] : [];
  for (const stray of await strayPrivileges(connection, username, host, pattern)) diff.push(`user ${account} holds ${stray}`);
  return diff;
}
