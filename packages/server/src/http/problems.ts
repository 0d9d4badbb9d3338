import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorCatalogue, isPavedError, type FieldIssue, type Problem } from '@paved/model';
import { pathOf } from './logging.js';
import { setSecurityHeaders } from './security-headers.js';

/**
 * The one place where anything thrown while serving a request becomes an RFC 9457 problem.
 * Paved's own errors take their status from `errorCatalogue`; Fastify's request errors
 * (validation, body size, media type, bad JSON) get stable codes of their own; anything else is
 * a bug and is answered with a bare 500 whose details stay in the log.
 */

export const PROBLEM_TYPE_BASE = 'https://paved.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

interface ProblemParts {
  status: number;
  title: string;
  code: string;
  detail: string;
  errors?: FieldIssue[];
}

/** Fastify's own request errors, by their error code: status, our code, title. */
const REQUEST_ERRORS: Readonly<Record<string, { status: number; code: string; title: string; detail: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large', title: 'Request body too large', detail: 'The request body is larger than this server accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415, code: 'unsupported_media_type', title: 'Unsupported media type', detail: 'Send the request body as application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_json', title: 'Invalid input', detail: 'The request body does not match its Content-Length' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', title: 'Invalid input', detail: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', title: 'Invalid input', detail: 'The request body is empty but Content-Type is application/json' },
  FST_ERR_BAD_URL: { status: 400, code: 'url_invalid', title: 'Invalid input', detail: 'The request path is not a valid URL (a malformed percent-encoding)' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'path_too_long', title: 'Path too long', detail: 'A segment of the request path is longer than any name Paved has' },
};

interface ValidationItem {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

type FastifyLikeError = Error & { code?: string; statusCode?: number; validation?: ValidationItem[]; validationContext?: string };

export function problemParts(error: unknown): ProblemParts {
  if (isPavedError(error)) {
    const entry = errorCatalogue[error.kind];
    if (error.kind === 'internal') return internalParts();
    return { status: entry.status, title: entry.title, code: error.code, detail: error.message, ...(error.issues.length > 0 ? { errors: error.issues } : {}) };
  }
  const fastifyError = error as FastifyLikeError;
  if (Array.isArray(fastifyError?.validation)) {
    const errors = validationIssues(fastifyError.validation, fastifyError.validationContext);
    const detail = `Invalid request: ${errors.slice(0, 3).map((e) => `${e.path} ${e.message}`).join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}`;
    return { status: 400, title: errorCatalogue.input.title, code: 'invalid_input', detail, errors };
  }
  const known = typeof fastifyError?.code === 'string' ? REQUEST_ERRORS[fastifyError.code] : undefined;
  if (known) return { status: known.status, title: known.title, code: known.code, detail: known.detail };
  return internalParts();
}

function internalParts(): ProblemParts {
  const entry = errorCatalogue.internal;
  // Never the underlying message: it may name hosts, SQL or worse. The log has it.
  return { status: entry.status, title: entry.title, code: 'internal', detail: 'Something went wrong inside Paved; this is a bug. The server log has the details.' };
}

/** Validation errors as `{ path: 'body.name', message }`, one per field and problem. */
export function validationIssues(items: ValidationItem[], context = 'body'): FieldIssue[] {
  const prefix = context === 'querystring' ? 'query' : context;
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const add = (segments: string[], message: string) => {
    const path = [prefix, ...segments].join('.');
    if (seen.has(path)) return; // one message per field is enough, and `false` schemas repeat additionalProperties
    seen.add(path);
    issues.push({ path, message });
  };
  // A union of literals (an instance's phase) fails each branch's `const` at the same path: the
  // first alone would say `must be "AwaitingApproval"` of a field that takes seven values.
  const constsAt = new Map<string, unknown[]>();
  for (const item of items) {
    if (item.keyword !== 'const') continue;
    const allowed = constsAt.get(item.instancePath ?? '') ?? [];
    allowed.push(item.params?.allowedValue);
    constsAt.set(item.instancePath ?? '', allowed);
  }
  for (const item of items) {
    const segments = (item.instancePath ?? '').split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const params = item.params ?? {};
    if (item.keyword === 'required') {
      const missing = params.requiredProperties ?? params.missingProperty;
      for (const name of Array.isArray(missing) ? missing : [missing]) add([...segments, String(name)], 'is required');
    } else if (item.keyword === 'additionalProperties') {
      const extra = params.additionalProperties ?? params.additionalProperty;
      for (const name of Array.isArray(extra) ? extra : [extra]) add([...segments, String(name)], 'is not allowed');
    } else if (item.keyword === 'boolean') {
      add(segments, 'is not allowed');
    } else if (item.keyword === 'const') {
      // Ajv's own wording ("must be equal to constant") does not say what the constant is.
      const allowed = constsAt.get(item.instancePath ?? '') ?? [params.allowedValue];
      add(segments, allowed.length > 1 ? `must be one of: ${allowed.map((value) => JSON.stringify(value)).join(', ')}` : `must be ${JSON.stringify(params.allowedValue)}`);
    } else if (item.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      add(segments, `must be one of: ${params.allowedValues.map((value) => JSON.stringify(value)).join(', ')}`);
    } else {
      add(segments, item.message ?? 'is invalid');
    }
  }
  return issues;
}

export function toProblem(parts: ProblemParts, instance: string): Problem {
  return {
    type: PROBLEM_TYPE_BASE + parts.code,
    title: parts.title,
    status: parts.status,
    detail: parts.detail,
    code: parts.code,
    instance,
    ...(parts.errors ? { errors: parts.errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, parts: ProblemParts): FastifyReply {
  if (parts.status === 401) reply.header('www-authenticate', 'Bearer realm="paved"');
  // The path only: a query string may hold a token, and a problem is often logged or shown.
  return reply.status(parts.status).type(PROBLEM_CONTENT_TYPE).send(toProblem(parts, pathOf(request.url)));
}

/** Fastify error handler: every error of every route goes through here. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const parts = problemParts(error);
  if (parts.status >= 500) {
    request.log.error({ err: error }, 'request failed');
  } else {
    request.log.info({ code: parts.code, status: parts.status }, 'request refused');
  }
  return sendProblem(reply, request, parts);
}

/**
 * Fastify's `frameworkErrors`: a URL it cannot route (bad percent-encoding, an overlong segment)
 * is answered before any hook runs, so the security headers are set here too.
 */
export function handleFrameworkError(error: Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  setSecurityHeaders(reply);
  request.log.info({ code: (error as FastifyLikeError).code }, 'request refused');
  return sendProblem(reply, request, problemParts(error));
}

/** Fastify not-found handler: an unknown route (not an unknown thing: those are NotFoundErrors). */
export function handleRouteNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, request, {
    status: 404,
    title: errorCatalogue['not-found'].title,
    code: 'route_not_found',
    detail: `There is no route ${request.method} ${pathOf(request.url)}; see /api/openapi.json`,
  });
}
