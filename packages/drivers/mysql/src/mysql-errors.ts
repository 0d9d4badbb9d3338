import { DriverError } from '@paved/model';
import { REDACTED, errorLine } from '@paved/driver-api';

interface MysqlLikeError {
  code?: string;
  errno?: number;
  sqlState?: string;
  message?: string;
  sql?: string;
}

/** Server errors whose retry cannot succeed until someone changes permissions or configuration. */
const PERMANENT = new Set([
  1044, // ER_DBACCESS_DENIED_ERROR
  1045, // ER_ACCESS_DENIED_ERROR
  1142, // ER_TABLEACCESS_DENIED_ERROR
  1227, // ER_SPECIFIC_ACCESS_DENIED_ERROR
  1410, // ER_CANT_CREATE_USER_WITH_GRANT
  1470, // ER_WRONG_STRING_LENGTH (name too long)
  1698, // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
]);
const DENIED = new Set([1044, 1045, 1142, 1227, 1410, 1698]);

/**
 * A mysql2 error as a one-line DriverError naming the step and the subject, cause kept. The
 * cause's `sql` holds the statement we sent (with the password hash in it), so it is blanked,
 * and `redact` strips any secret the server might echo back in a message.
 */
export function wrapMysqlError(error: unknown, step: string, subject: string, redact: readonly string[] = []): DriverError {
  if (error instanceof DriverError) return error;
  const mysqlError = (error ?? {}) as MysqlLikeError;
  if (typeof mysqlError.sql === 'string') mysqlError.sql = REDACTED;
  const detail = errorLine(error, redact);
  const errno = mysqlError.errno;
  // 42xxx is a syntax or access rule violation: the same statement fails the same way again.
  const permanent = (errno !== undefined && PERMANENT.has(errno)) || mysqlError.sqlState?.startsWith('42') === true;
  const tag = errno !== undefined && mysqlError.code ? ` (${mysqlError.code} ${errno})` : mysqlError.code ? ` (${mysqlError.code})` : '';
  return new DriverError(`mysql: ${step} failed for "${subject}": ${detail}${tag}`, {
    cause: error,
    retryable: !permanent,
    code: errno !== undefined && DENIED.has(errno) ? 'permission_denied' : 'mysql_failed',
  });
}

export function isMysqlErrno(error: unknown, errno: number): boolean {
  return typeof error === 'object' && error !== null && (error as MysqlLikeError).errno === errno;
}
