import { DriverError } from '@paved/model';
import { errorLine, isTargetUnreachable, TARGET_UNREACHABLE } from '@paved/driver-api';

/** Reply prefixes whose retry cannot succeed until someone changes permissions or configuration. */
const PERMANENT = ['NOPERM', 'WRONGPASS', 'NOAUTH', 'ERR'];

/**
 * ioredis's words for a server it cannot reach: after `maxRetriesPerRequest` reconnects a queued
 * command fails with MaxRetriesPerRequestError, and a connection that dropped (or never opened,
 * with retries off) with "Connection is closed."; neither carries a network error code.
 */
function lostServer(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown } | null;
  return isTargetUnreachable(error) || e?.name === 'MaxRetriesPerRequestError' || (typeof e?.message === 'string' && /^Connection is closed\.?$/.test(e.message));
}

/**
 * An ioredis error as a one-line DriverError naming the step and the subject. ioredis attaches
 * the failed command with its arguments (an AUTH password, an ACL hash) to its errors, so the
 * cause kept is a copy carrying only the redacted message, never the raw error. `whyDown` is the
 * connection's own error while it is down: a command lost with the server says only that it ran
 * out of retries, where the operator needs the network's reason (docs/operations.md).
 */
export function wrapRedisError(error: unknown, step: string, subject: string, redact: readonly string[] = [], whyDown?: Error): DriverError {
  if (error instanceof DriverError) return error;
  const detail = errorLine(whyDown !== undefined && lostServer(error) ? whyDown : error, redact);
  const replyCode = /^[A-Z]+(?= )/.exec(detail)?.[0];
  const retryable = replyCode === undefined ? true : !PERMANENT.includes(replyCode);
  return new DriverError(`redis: ${step} failed for "${subject}": ${detail}`, {
    cause: new Error(detail),
    retryable,
    code: replyCode === 'NOPERM' ? 'permission_denied' : lostServer(error) ? TARGET_UNREACHABLE : 'redis_failed',
  });
}
