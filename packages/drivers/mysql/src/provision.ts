import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { requireSecret, type ApplyResult, type DriverContext } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';
import { grantPattern, quoteAccount, quoteIdent } from './quote.js';
import { wrapMysqlError } from './mysql-errors.js';
import { allOutputs } from './outputs.js';
import { wantedResource } from './spec.js';
import { identifiedClause, storedCredential } from './auth.js';
import { credentialAccounts, dropAccounts } from './accounts.js';

export interface ProvisionOptions {
  /** The walk is a create: accounts it did not meet are new and hold nothing, so their privileges are not read (see provision). */
  create?: boolean;
}

/**
 * Create, update and rotate are the same walk for one login: every step checks what is there
 * and makes it so, so a retry after a crash anywhere converges, and the password is reset every
 * time (the secret store holds the only copy of the truth). DDL commits implicitly in MariaDB,
 * so the steps cannot be one transaction; each is atomic on its own.
 *
 * The login is one account per host pattern the target lists (`config.clientHosts`), all with
 * the same password and grant; an account of it on any other host is dropped, and any privilege
 * its accounts hold besides their own database's is taken back.
 * `ctx.instance.rotation` picks the login, for create and update as for rotate (which is this
 * walk for the new credential's login, the previous one left alone).
 *
 * Nothing waits on a read: the login's accounts on other hosts are read while CREATE DATABASE
 * and CREATE USER go out, and the GRANT follows CREATE USER without waiting for the database.
 * The privileges' read waited on the DDL's ACL lock (bench/README.md §1 rounds 12 and 14); a
 * create sends it only when CREATE USER warned that an account was there already (a create
 * resumed after a crash, repeated, or over an account made behind Paved's back): an account
 * CREATE USER made holds no privilege yet. update and rotate always send it.
 */
export async function provision(connection: TargetConnection, ctx: DriverContext, options: ProvisionOptions = {}): Promise<ApplyResult> {
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

  // Only a value derived from the password is sent (auth.ts), never the password itself; derived
  // once (an ed25519 key costs ≈ 0.2 ms of the loop) before any statement is asked for, so that
  // CREATE USER can be asked for first (below). The pool writes a statement only on a later tick,
  // so none went out during the derivation before either. The plugin is chosen once a target
  // (kept once ed25519 is in use); a failure to choose it is ensure-user's, after the database's.
  const credential = await connection.auth().then(
    ({ plugin }) => {
      const stored = storedCredential(plugin, password);
      redact.push(stored);
      return { identified: identifiedClause(plugin, stored) };
    },
    (error: unknown) => ({ error }),
  );
  const pattern = grantPattern(database);
  // One GRANT naming every host's account, as CREATE USER below.
  const grant = (hosts: readonly string[]) => pool.query(`GRANT ALL PRIVILEGES ON ${quoteIdent(pattern)}.* TO ${hosts.map((host) => quoteAccount(username, host)).join(', ')}`);
  let accountsMet = false;

  // The database and the accounts do not depend on each other (a grant names a pattern, not a
  // database that must exist), so they go out together on two of the pool's connections. Both
  // settle before the walk goes on or fails, the database's failure reported first.
  // CREATE USER is asked for first, then the database, then the accounts' read: the GRANT waits
  // for CREATE USER's answer, so it heads the longer branch, and the pool writes the statements
  // in the order asked. Written third, behind the read and CREATE DATABASE, it met them in
  // MariaDB (on the same two cores) and answered later (bench/README.md §1, round 20).
  const user = (async () => {
    await step('ensure-user', async () => {
      if ('error' in credential) throw credential.error;
      // Every host's account in one statement (MariaDB takes a list, and the options after it
      // hold for each): one pass over the grant tables, where a statement per account, even sent
      // at once, waited on the others' (3 accounts: 0.6 ms against 1.7, bench/README.md §1 round 9).
      const accounts = `${config.clientHosts.map((host) => `${quoteAccount(username, host)} ${credential.identified}`).join(', ')} WITH MAX_USER_CONNECTIONS ${connectionLimit}`;
      const [created] = await pool.query<ResultSetHeader>(`CREATE USER IF NOT EXISTS ${accounts}`);
      // A warning means an account was there already (a retry, an update): reset them all to the spec.
      if (created.warningStatus > 0) {
        accountsMet = true;
        await pool.query(`ALTER USER ${accounts}`);
      }
    });
    await step('grant-privileges', async () => {
      // Anything else an account holds (a grant on an unescaped pattern, global privileges) was
      // added behind Paved's back and may reach other tenants: take it all back, then re-grant.
      // The read goes out beside the grant, not after it: it leaves out the grant it makes
      // (the pattern's own), and a stray is there before it.
      const readStrays = !options.create || accountsMet;
      const [strays] = await Promise.all([readStrays ? strayPrivilegesByHost(connection, username, config.clientHosts, pattern) : undefined, grant(config.clientHosts)]);
      for (const host of config.clientHosts) {
        if ((strays?.get(host) ?? []).length === 0) continue;
        await pool.query(`REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${quoteAccount(username, host)}`);
        await grant([host]);
      }
    });
  })();
  const databaseMade = step('ensure-database', async () => {
    await pool.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  });
  // An account of this login on a host the target no longer lists (or '%' made by an older
  // Paved, or by hand before the create) would keep letting it in from there. Read on its own
  // connection while the statements above go out: the login's own hosts are filtered out, so
  // it does not matter whether it sees the accounts CREATE USER makes.
  const otherHosts = credentialAccounts(pool, database).then((found) => found.filter((account) => account.user === username && !config.clientHosts.includes(account.host)));
  otherHosts.catch(() => {}); // awaited below, once the statements settled; not unhandled meanwhile
  const outcomes = await Promise.allSettled([databaseMade, user]);
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  // Sessions already open from another host stay open: MariaDB does not say which account a session logged in through.
  await step('drop-other-hosts', async () => {
    await dropAccounts(pool, await otherHosts);
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
