import { InputError } from '@paved/model';

/**
 * Account-management statements (CREATE USER, GRANT, KILL…) take no bind parameters, so names
 * and the password hash are spliced into SQL text. These helpers are the only way they get there.
 */

/** A backtick-quoted identifier: a`b → `a``b`. Backslashes are literal inside backticks. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\0')) {
    throw new InputError('an SQL identifier must be non-empty and hold no NUL character', { issues: [{ path: 'name', message: 'is not a valid identifier' }] });
  }
  return `\`${name.replace(/`/g, '``')}\``;
}

/**
 * A single-quoted string literal. A backslash is refused rather than escaped: whether it escapes
 * depends on the session's sql_mode (NO_BACKSLASH_ESCAPES), and nothing we splice needs one.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0') || value.includes('\\')) {
    throw new InputError('an SQL literal here cannot hold a backslash or a NUL character', { issues: [{ path: 'value', message: 'holds a backslash or NUL' }] });
  }
  return `'${value.replace(/'/g, "''")}'`;
}

/** `'user'@'host'`, the account form CREATE/ALTER/DROP USER and GRANT expect. */
export function quoteAccount(user: string, host = '%'): string {
  return `${quoteLiteral(user)}@${quoteLiteral(host)}`;
}

/**
 * The database name as a GRANT pattern. In database-level GRANTs `_` and `%` are wildcards
 * (docs/drivers/mysql.md: `GRANT … ON t_wild.*` also opened `tXwild`), so each is escaped with a
 * backslash, and a backslash itself too, making the pattern match this one database only.
 */
export function grantPattern(database: string): string {
  return database.replace(/[\\_%]/g, (c) => `\\${c}`);
}

/** True when a stored GRANT pattern (mysql.db.Db) has an unescaped `_` or `%`: it matches more than one name. */
export function hasWildcard(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '_' || c === '%') return true;
  }
  return false;
}
