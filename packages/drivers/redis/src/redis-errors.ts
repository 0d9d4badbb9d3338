import { DriverError } from '@paved/model';

/** Reply prefixes whose retry cannot succeed until someone changes permissions or configuration. */
const PERMANENT = ['NOPERM', 'WRONGPASS', 'NOAUTH', 'ERR'];

/** The first line of an error's message with every secret we know of cut out. */
export function redactedMessage(error: unknown, redact: readonly string[] = []): string {
  let detail = ((error as Error | undefined)?.message ?? String(error)).split('\n')[0] ?? '';
  for (const secret of redact) if (secret) detail = detail.split(secret).join('[redacted]');
  return detail;
}

/**
 * An ioredis error as a one-line DriverError naming the step and the subject. ioredis attaches
 * the failed command with its arguments (an AUTH password, an ACL hash) to its errors, so the
 * cause kept is a copy carrying only the redacted message, never the raw error.
 */
export function wrapRedisError(error: unknown, step: string, subject: string, redact: readonly string[] = []): DriverError {
  if (error instanceof DriverError) return error;
  const detail = redactedMessage(error, redact);
  const replyCode = /^[A-Z]+(?= )/.exec(detail)?.[0];
  const retryable = replyCode === undefined ? true : !PERMANENT.includes(replyCode);
  return new DriverError(`redis: ${step} failed for "${subject}": ${detail}`, {
    cause: new Error(detail),
    retryable,
    code: replyCode === 'NOPERM' ? 'permission_denied' : 'redis_failed',
  });
}
