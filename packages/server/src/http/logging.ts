import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

/**
 * Request logs never contain credentials: the Authorization header (and cookies) are redacted
 * wherever a serializer or a log call might put them, and requests are logged without headers.
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
      req: (req: { method: string; url: string; id?: string }) => ({ method: req.method, url: req.url, id: req.id }),
      ...(base.serializers as Record<string, unknown> | undefined),
    },
  } as FastifyServerOptions['logger'];
}
