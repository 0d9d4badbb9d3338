/**
 * The closed set of errors Paved raises on purpose. Each has a stable `code` (the machine
 * contract, listed in docs/errors.md) and maps to one HTTP status and one CLI exit code, in
 * exactly one place: `errorCatalogue` below. Anything else that escapes is a bug and is
 * reported as InternalError.
 */

export type ErrorKind = 'input' | 'unauthenticated' | 'not-allowed' | 'not-found' | 'conflict' | 'quota' | 'driver' | 'unavailable' | 'internal';

export interface ErrorCatalogueEntry {
  kind: ErrorKind;
  status: number;
  exitCode: number;
  title: string;
}

/** One row per kind: HTTP status, CLI exit code, problem title. Kept in step with docs/errors.md by a test. */
export const errorCatalogue: Readonly<Record<ErrorKind, ErrorCatalogueEntry>> = Object.freeze({
  input: { kind: 'input', status: 400, exitCode: 2, title: 'Invalid input' },
  unauthenticated: { kind: 'unauthenticated', status: 401, exitCode: 3, title: 'Not signed in' },
  'not-allowed': { kind: 'not-allowed', status: 403, exitCode: 4, title: 'Not allowed' },
  'not-found': { kind: 'not-found', status: 404, exitCode: 5, title: 'Not found' },
  conflict: { kind: 'conflict', status: 409, exitCode: 6, title: 'Conflict' },
  quota: { kind: 'quota', status: 429, exitCode: 7, title: 'Quota exceeded' },
  driver: { kind: 'driver', status: 502, exitCode: 8, title: 'Provisioning failed' },
  unavailable: { kind: 'unavailable', status: 503, exitCode: 9, title: 'Unavailable' },
  internal: { kind: 'internal', status: 500, exitCode: 70, title: 'Internal error' },
});

/** One problem with one field of an input; `path` is a JSON pointer-like dotted path ("spec.plans.small.quota"). */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface PavedErrorOptions {
  cause?: unknown;
  /** Stable, more specific code than the kind, e.g. "instance_name_invalid". */
  code?: string;
  issues?: FieldIssue[];
}

export abstract class PavedError extends Error {
  abstract readonly kind: ErrorKind;
  readonly code: string;
  readonly issues: FieldIssue[];
  constructor(message: string, defaultCode: string, options: PavedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? defaultCode;
    this.issues = options.issues ?? [];
  }
  get status(): number {
    return errorCatalogue[this.kind].status;
  }
  get exitCode(): number {
    return errorCatalogue[this.kind].exitCode;
  }
}

export class InputError extends PavedError {
  readonly kind = 'input' as const;
  override readonly name = 'InputError';
  constructor(message: string, options: PavedErrorOptions = {}) {
    super(message, 'invalid_input', options);
  }
}
export class UnauthenticatedError extends PavedError {
  readonly kind = 'unauthenticated' as const;
  override readonly name = 'UnauthenticatedError';
  constructor(message = 'A valid API token is required (paved login).', options: PavedErrorOptions = {}) {
    super(message, 'unauthenticated', options);
  }
}
export class NotAllowedError extends PavedError {
  readonly kind = 'not-allowed' as const;
  override readonly name = 'NotAllowedError';
  constructor(message: string, options: PavedErrorOptions = {}) {
    super(message, 'not_allowed', options);
  }
}
export class NotFoundError extends PavedError {
  readonly kind = 'not-found' as const;
  override readonly name = 'NotFoundError';
  constructor(message: string, options: PavedErrorOptions = {}) {
    super(message, 'not_found', options);
  }
}
export class ConflictError extends PavedError {
  readonly kind = 'conflict' as const;
  override readonly name = 'ConflictError';
  constructor(message: string, options: PavedErrorOptions = {}) {
    super(message, 'conflict', options);
  }
}
export class QuotaError extends PavedError {
  readonly kind = 'quota' as const;
  override readonly name = 'QuotaError';
  constructor(message: string, options: PavedErrorOptions = {}) {
    super(message, 'quota_exceeded', options);
  }
}
export class DriverError extends PavedError {
  readonly kind = 'driver' as const;
  override readonly name = 'DriverError';
  /** Whether retrying the same call may succeed (network blip, lock timeout) or never will (bad permissions). */
  readonly retryable: boolean;
  /**
   * What the requester does about a non-retryable error, when the driver knows better than the
   * engine's generic "fix the cause, then run paved reconcile" (an instance that should never
   * have been taken this way is deleted, not reconciled). A clause that reads on from "Retrying
   * will not help: ", no secret.
   */
  readonly remedy: string | undefined;
  constructor(message: string, options: PavedErrorOptions & { retryable?: boolean; remedy?: string } = {}) {
    super(message, 'driver_failed', options);
    this.retryable = options.retryable ?? true;
    this.remedy = options.remedy;
  }
}
export class UnavailableError extends PavedError {
  readonly kind = 'unavailable' as const;
  override readonly name = 'UnavailableError';
  constructor(message: string, options: PavedErrorOptions = {}) {
    super(message, 'unavailable', options);
  }
}
export class InternalError extends PavedError {
  readonly kind = 'internal' as const;
  override readonly name = 'InternalError';
  constructor(message = 'Something went wrong inside Paved; this is a bug.', options: PavedErrorOptions = {}) {
    super(message, 'internal', options);
  }
}

export function isPavedError(error: unknown): error is PavedError {
  return error instanceof PavedError;
}

/** Any thrown value as a PavedError: ours pass through, anything else becomes InternalError (a bug). */
export function toPavedError(error: unknown): PavedError {
  return isPavedError(error) ? error : new InternalError(undefined, { cause: error });
}
