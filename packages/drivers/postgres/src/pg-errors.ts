import { DriverError } from '@paved/model';
import { errorLine } from '@paved/driver-api';

interface PgLikeError {
  code?: string;
  message?: string;
}

/** SQLSTATEs whose retry cannot succeed until someone changes permissions or configuration. */
const PERMANENT = new Set(['42501', '28000', '28P01', '3D000', '42601', '42704', '2BP01', '0A000']);

/**
 * A pg error as a one-line DriverError naming the step and the external name, cause kept.
 * Server messages never echo our statements, but `redact` strips any secret we sent, in case.
 */
export function wrapPgError(error: unknown, step: string, subject: string, redact: readonly string[] = []): DriverError {
  if (error instanceof DriverError) return error;
  const pgError = (error ?? {}) as PgLikeError;
  const detail = errorLine(error, redact);
  const code = pgError.code;
  const retryable = code === undefined ? true : !PERMANENT.has(code) && !code.startsWith('42');
  return new DriverError(`postgres: ${step} failed for "${subject}": ${detail}${code && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : ''}`, {
    cause: error,
    retryable,
    code: code === '42501' ? 'permission_denied' : 'postgres_failed',
  });
}

export function isPgCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as PgLikeError).code === code;
}
