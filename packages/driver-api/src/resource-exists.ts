import { DriverError } from '@paved/model';

/**
 * The code of a DriverError that means "create found the resource already there and changed
 * nothing that matters". Only a driver that declares `createsUnobserved` throws it: the engine
 * may then call its `create` without observing first (a new instance's first pass), and on this
 * error it observes and plans again, which makes the call an `update`.
 */
export const RESOURCE_EXISTS = 'resource_exists';

export function resourceExists(message: string): DriverError {
  return new DriverError(message, { retryable: true, code: RESOURCE_EXISTS });
}

/**
 * Whether `error` is create's "already there". By its code, not by class: the engine and a
 * driver may each bundle their own copy of this package, and `instanceof` would fail across them.
 */
export function isResourceExists(error: unknown): boolean {
  return error !== null && typeof error === 'object' && (error as { code?: unknown }).code === RESOURCE_EXISTS;
}
