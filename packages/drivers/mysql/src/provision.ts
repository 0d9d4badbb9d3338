import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { requireSecret, type ApplyResult, type DriverContext } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';
import { grantPattern, quoteAccount, quoteIdent } from './quote.js';
import { wrapMysqlError } from './mysql-errors.js';
import { allOutputs } from './outputs.js';
import { wantedResource } from './spec.js';
import { identifiedClause, storedCredential } from './auth.js';
import { credentialAccounts, dropAccounts } from './accounts.js';

/**
 * Create, update and rotate are the same walk for one login: every step checks what is there
 * and makes it so, so a retry after a crash anywhere converges, and the password is reset every
 * time (the secret store holds the only copy of the truth). DDL commits implicitly in MariaDB,
 * so the steps cannot be one transaction; each is atomic on its own.
 *
 * The login is one account per host pattern the target lists (`config.clientHosts`), all with
 * the same password and grant; an account of it on any other host is dropped.
 * `ctx.instance.rotation` picks the login, for create and update as for rotate (which is this
 * walk for the new credential's login, the previous one left alone).
 */
export async function provision(connection: TargetConnection, ctx: DriverContext): Promise<ApplyResult> {
  const { database, username, connectionLimit } = wantedResource(ctx);
  const password = requireSecret('mysql', ctx, 'password');
  const { pool, config } = connection;
  const redact = [password];

  const step = async (stepName: string, run: () => Promise<void>) => {
    // Between steps is where a crash (or a cancelled reconcile) may stop us.
    ctx.signal.throwIfAborted();
    try {
      await run();
    } catch (error) {
      throw wrapMysqlError(error, stepName, database, redact);
    }
  };

  // The database and the accounts do not depend on each other (a grant names a pattern, not
  // a database that must exist), so their statements go out together over the pool's
  // connections; each step still converges on its own after a crash anywhere.
  await Promise.all([
    step('ensure-database', async () => {
      await pool.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    }),
    step('ensure-user', async () => {
      // Only a value derived from the password is sent (auth.ts), never the password itself.
      const { plugin } = await connection.auth();
      redact.push(storedCredential(plugin, password));
      const identified = identifiedClause(plugin, password);
      // Every host's account in one statement (MariaDB takes a list, and the options after it
      // hold for each): one pass over the grant tables, where a statement per account, even sent
      // at once, waited on the others' (3 accounts: 0.6 ms against 1.7, bench/README.md §1 round 9).
      const accounts = `${config.clientHosts.map((host) => `${quoteAccount(username, host)} ${identified}`).join(', ')} WITH MAX_USER_CONNECTIONS ${connectionLimit}`;
      // An account of this login on a host the target no longer lists (or '%' made by an older
      // Paved) would keep letting it in from there. Sessions already open from there stay open:
      // MariaDB does not say which account a session logged in through.
      const [stray] = await Promise.all([
        credentialAccounts(pool, database).then((found) => found.filter((account) => account.user === username && !config.clientHosts.includes(account.host))),
        (async () => {
          const [created] = await pool.query<ResultSetHeader>(`CREATE USER IF NOT EXISTS ${accounts}`);
          // A warning means an account was there already (a retry, an update): reset them all to the spec.
          if (created.warningStatus > 0) await pool.query(`ALTER USER ${accounts}`);
        })(),
      ]);
      await dropAccounts(pool, stray);
    }),
  ]);

  await step('grant-privileges', async () => {
    const pattern = grantPattern(database);
    // One GRANT naming every host's account, as CREATE USER above.
    const grant = (hosts: readonly string[]) => pool.query(`GRANT ALL PRIVILEGES ON ${quoteIdent(pattern)}.* TO ${hosts.map((host) => quoteAccount(username, host)).join(', ')}`);
    // Anything else an account holds (a grant on an unescaped pattern, global privileges) was
    // added behind Paved's back and may reach other tenants: take it all back, then re-grant.
    // The read goes out beside the grants, not after them: it leaves out the grant they make
    // (the pattern's own), and a stray is there before them, so one round trip fewer.
    const [strays] = await Promise.all([strayPrivilegesByHost(connection, username, config.clientHosts, pattern), grant(config.clientHosts)]);
    for (const host of config.clientHosts) {
      if ((strays.get(host) ?? []).length === 0) continue;
      await pool.query(`REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${quoteAccount(username, host)}`);
      await grant([host]);
    }
  });

  return { outputs: allOutputs(connection.config, database, username, password) };
}

/**
 * Privileges `username`@`host` holds besides ALL on its own database, one human line each, e.g.
 * 'privileges on database pattern "pv_x"' or 'global privilege SELECT'. Reads only.
 */
export async function strayPrivileges(connection: TargetConnection, username: string, host: string, pattern: string): Promise<string[]> {
  return (await strayPrivilegesByHost(connection, username, [host], pattern)).get(host) ?? [];
}

/** strayPrivileges of the login's account on each of `hosts`, in one round trip. */
export async function strayPrivilegesByHost(connection: TargetConnection, username: string, hosts: readonly string[], pattern: string): Promise<Map<string, string[]>> {
  const grantees = hosts.map((host) => `'${username}'@'${host}'`);
  const among = `GRANTEE IN (${grantees.map(() => '?').join(', ')})`;
  // execute() sends parameters out of band: the pattern holds backslashes, which a client-side
  // escaped literal would get wrong under sql_mode NO_BACKSLASH_ESCAPES.
  const [rows] = await connection.pool.execute<RowDataPacket[]>(
    `SELECT DISTINCT GRANTEE AS grantee, 'schema' AS kind, TABLE_SCHEMA AS what FROM information_schema.SCHEMA_PRIVILEGES WHERE ${among}
     UNION SELECT GRANTEE, 'global', PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE ${among} AND PRIVILEGE_TYPE <> 'USAGE'
     UNION SELECT GRANTEE, 'table', CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) FROM information_schema.TABLE_PRIVILEGES WHERE ${among}`,
    [...grantees, ...grantees, ...grantees],
  );
  const byHost = new Map(hosts.map((host) => [host, [] as string[]]));
  for (const row of rows) {
    if (row.kind === 'schema' && String(row.what) === pattern) continue;
    const host = hosts[grantees.indexOf(String(row.grantee))];
    if (host === undefined) continue;
    byHost.get(host)?.push(
      row.kind === 'schema' ? `privileges on database pattern "${String(row.what)}"` : row.kind === 'global' ? `global privilege ${String(row.what)}` : `privileges on table ${String(row.what)}`,
    );
  }
  return byHost;
}
