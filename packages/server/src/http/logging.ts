import type { FastifyBaseLogger, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';

/**
 * Request logs never contain credentials: the Authorization header (and cookies) are redacted
 * wherever a serializer or a log call might put them, and requests are logged without headers
 * and without their query string (a client may put a token there).
 */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'request.headers.authorization', 'authorization'];

/** A ready logger (the process's pino instance) rather than options to build one. */
export function isLoggerInstance(logger: unknown): logger is FastifyBaseLogger {
  const candidate = logger as Partial<FastifyBaseLogger> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.child === 'function' && typeof candidate.info === 'function';
}

export function loggerOptions(logger: FastifyServerOptions['logger'] | FastifyBaseLogger | false | undefined): FastifyServerOptions['logger'] {
  if (logger === undefined || logger === false || isLoggerInstance(logger)) return false;
  const base = logger === true ? {} : (logger as Record<string, unknown>);
  const redact = base.redact;
  const paths = Array.isArray(redact) ? redact : (redact as { paths?: string[] } | undefined)?.paths ?? [];
  return {
    level: 'info',
    ...base,
    redact: { paths: [...new Set([...paths, ...REDACT])], censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; id?: string }) => ({ method: req.method, url: pathOf(req.url), id: req.id }),
      ...(base.serializers as Record<string, unknown> | undefined),
    },
  } as FastifyServerOptions['logger'];
}

/** A request URL without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * onResponse hook, in place of Fastify's own request logging (which logs the URL as sent, query
 * and all): one line per request with its route pattern and path, never the query string.
 * A callback hook: an async one makes a promise for every request.
 */
export function logRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  // Flat fields, not `req`: Fastify's and pino's `req` serializers would put the URL back.
  request.log.info({
    method: request.method,
    route: request.routeOptions.url,
    path: pathOf(request.url),
    statusCode: reply.statusCode,
    responseTime: Math.round(reply.elapsedTime),
  }, 'request completed');
  done();
}
