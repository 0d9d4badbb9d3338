import { DriverError } from '@paved/model';

/**
 * The code of a DriverError that means "the target did not answer" (connection refused, reset
 * or timed out, a name that does not resolve): the request is fine and the target is down or
 * out of reach. The engine shows the instance as waiting for the target and retries with a
 * short capped backoff, never turning it Failed for that cause alone.
 */
export const TARGET_UNREACHABLE = 'target_unreachable';

/** Node's and undici's codes for a peer that cannot be reached or dropped the connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN',
  'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET',
]);

/**
 * Whether `error` says the target could not be reached: a DriverError marked TARGET_UNREACHABLE,
 * or a network error code anywhere in its causes (net and undici nest them: a refused fetch is
 * "fetch failed" caused by an AggregateError of one ECONNREFUSED per address tried).
 */
export function isTargetUnreachable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): boolean => {
    if (value === null || typeof value !== 'object' || depth > 8 || seen.has(value)) return false;
    seen.add(value);
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string' && (code === TARGET_UNREACHABLE || NETWORK_CODES.has(code))) return true;
    if (value instanceof AggregateError && value.errors.some((inner) => visit(inner, depth + 1))) return true;
    return visit((value as { cause?: unknown }).cause, depth + 1);
  };
  return visit(error, 0);
}

/** A retryable DriverError marked as the target being out of reach (for drivers whose client hides the network error). */
export function targetUnreachable(message: string, cause?: unknown): DriverError {
  return new DriverError(message, { retryable: true, code: TARGET_UNREACHABLE, ...(cause === undefined ? {} : { cause }) });
}
