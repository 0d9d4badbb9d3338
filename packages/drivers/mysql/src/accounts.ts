import type { RowDataPacket } from 'mysql2/promise';
import type mysql from 'mysql2/promise';
import { isCredentialName } from '@paved/driver-api';
import { isMysqlErrno } from './mysql-errors.js';
import { quoteAccount } from './quote.js';

export interface Account {
  user: string;
  host: string;
}

// LEFT(...) rather than LIKE: the external name holds `_`, a LIKE wildcard, and escaping it
// with a backslash depends on sql_mode. The exact filter is isCredentialName. Reads go
// through execute() (parameters sent out of band) so no client-side escaping is involved.
const ACCOUNTS_SQL = 'SELECT User AS user, Host AS host FROM mysql.user WHERE LEFT(User, ?) = ? ORDER BY User, Host';

/** Every account (any host) of every credential of `externalName`. */
export async function credentialAccounts(pool: mysql.Pool, externalName: string): Promise<Account[]> {
  const [rows] = await pool.execute<RowDataPacket[]>(ACCOUNTS_SQL, [externalName.length, externalName]);
  return rows.map((row) => ({ user: String(row.user), host: String(row.host) })).filter((account) => isCredentialName(externalName, account.user));
}

/** Drops the given accounts; an account already gone is fine. */
export async function dropAccounts(pool: mysql.Pool, accounts: readonly Account[]): Promise<void> {
  for (const account of accounts) await pool.query(`DROP USER IF EXISTS ${quoteAccount(account.user, account.host)}`);
}

/**
 * Ends every session logged in as a login `matches` accepts. DROP USER does NOT end them (a
 * trap of docs/drivers/mysql.md, reproduced in traps.test.ts): a session opened before the drop
 * keeps reading and writing. A session that ends on its own meanwhile (ER_NO_SUCH_THREAD) is
 * fine. Returns how many were killed.
 */
export async function killSessions(pool: mysql.Pool, matches: (user: string) => boolean, prefix: string): Promise<number> {
  const [rows] = await pool.execute<RowDataPacket[]>(
    'SELECT ID AS id, USER AS user FROM information_schema.PROCESSLIST WHERE LEFT(USER, ?) = ? AND ID <> CONNECTION_ID()',
    [prefix.length, prefix],
  );
  let killed = 0;
  for (const row of rows) {
    if (!matches(String(row.user))) continue;
    const id = Number(row.id);
    if (!Number.isSafeInteger(id)) continue;
    try {
      await pool.query(`KILL CONNECTION ${id}`);
      killed += 1;
    } catch (error) {
      if (!isMysqlErrno(error, 1094)) throw error; // ER_NO_SUCH_THREAD: it ended by itself
    }
  }
  return killed;
}
