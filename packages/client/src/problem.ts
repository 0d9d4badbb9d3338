import {
  ConflictError, DriverError, InputError, InternalError, NotAllowedError, NotFoundError, QuotaError,
  UnauthenticatedError, UnavailableError, type FieldIssue, type PavedError, type PavedErrorOptions, type Problem,
} from '@paved/model';

type ErrorFactory = (message: string, options: PavedErrorOptions) => PavedError;

/** HTTP status → the PavedError class the server raised; anything unlisted is a bug on the server. */
const byStatus: Readonly<Record<number, ErrorFactory>> = {
  400: (m, o) => new InputError(m, o),
  401: (m, o) => new UnauthenticatedError(m, o),
  403: (m, o) => new NotAllowedError(m, o),
  404: (m, o) => new NotFoundError(m, o),
  409: (m, o) => new ConflictError(m, o),
  429: (m, o) => new QuotaError(m, o),
  502: (m, o) => new DriverError(m, o),
  503: (m, o) => new UnavailableError(m, o),
};

function isIssue(value: unknown): value is FieldIssue {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.path === 'string' && typeof v.message === 'string';
}

/**
 * Turns an error response into the typed error the server raised. `body` is the parsed JSON
 * when the response was a problem document (or any JSON), undefined otherwise; a response
 * without a problem document still maps by status, with a generic message.
 */
export function errorFromResponse(status: number, body: unknown, statusText = '', retryAfter?: string | null): PavedError {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as Partial<Problem>;
  let message = typeof problem.detail === 'string' && problem.detail !== ''
    ? problem.detail
    : typeof problem.title === 'string' && problem.title !== ''
      ? problem.title
      : `Paved answered ${status}${statusText ? ` ${statusText}` : ''}`;
  // A 429 says when to come back; a proxy's 429 may say it only in the header.
  if (status === 429 && retryAfter && !/retry/i.test(message)) message = `${message}; retry in ${retryAfter} s`;
  const options: PavedErrorOptions = {};
  if (typeof problem.code === 'string') options.code = problem.code;
  if (Array.isArray(problem.errors)) options.issues = problem.errors.filter(isIssue).map((i) => ({ path: i.path, message: i.message }));
  const factory = byStatus[status];
  return factory ? factory(message, options) : new InternalError(message, options);
}
