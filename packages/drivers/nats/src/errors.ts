import { DriverError } from '@paved/model';
import { errorLine } from '@paved/driver-api';

/** Server/client failures whose retry cannot succeed until someone changes configuration. */
const PERMANENT = /authorization violation|authentication|permissions violation|not a valid|insufficient resources|10047|maximum .* exceeded/i;

/**
 * A NATS error as a one-line DriverError naming the step and the subject (external name),
 * cause kept. Client messages never carry our seeds or JWTs, but `redact` strips any we sent.
 */
export function wrapNatsError(error: unknown, step: string, subject: string, redact: readonly string[] = []): DriverError {
  if (error instanceof DriverError) return error;
  const detail = errorLine(error, redact);
  return new DriverError(`nats: ${step} failed for "${subject}": ${detail}`, {
    cause: error,
    retryable: !PERMANENT.test(detail),
    code: /permission|authoriz/i.test(detail) ? 'permission_denied' : 'nats_failed',
  });
}

export function invalidValue(path: string, message: string): DriverError {
  return new DriverError(`nats: ${path} ${message}`, { code: 'values_invalid', retryable: false, issues: [{ path, message }] });
}
