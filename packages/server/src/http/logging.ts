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

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LevelChecked = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };
type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;

const hasLevelCheck = (logger: FastifyBaseLogger): logger is LevelChecked => typeof (logger as Partial<LevelChecked>).isLevelEnabled === 'function';

/**
 * Fastify's childLoggerFactory: each request's logger (`request.log`) is its logger's child with
 * the request id, as Fastify makes it, but that child is made only when the request writes a line
 * at a level its logger writes. Fastify made one for every request, serialising its bindings to
 * JSON, while most requests (a read at the `warn` level of `paved up`) write nothing: ≈ 1.4 % of
 * the server's CPU under a get-one load (bench/README.md §2, round 21). A line written carries the
 * same bindings, through the same child. Options for the child (a route's log level or
 * serializers) and a logger without a level check take Fastify's way.
 */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildOptions): FastifyBaseLogger {
  if (!hasLevelCheck(logger) || Object.keys(options).length > 0) return logger.child(bindings, options);
  return new RequestLogger(logger, bindings) as unknown as FastifyBaseLogger;
}

class RequestLogger {
  #made: FastifyBaseLogger | undefined;

  constructor(private readonly parent: LevelChecked, private readonly bound: Bindings) {}

  /** The child as Fastify makes it, made now if it was not. */
  private real(): FastifyBaseLogger {
    this.#made ??= this.parent.child(this.bound);
    return this.#made;
  }

  private write(level: Level, args: unknown[]): void {
    if (this.#made === undefined && !this.parent.isLevelEnabled(level)) return;
    (this.real()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return (this.#made ?? this.parent).level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return this.#made === undefined ? this.parent.isLevelEnabled(level) : (this.#made as LevelChecked).isLevelEnabled(level);
  }

  fatal(...args: unknown[]): void { this.write('fatal', args); }
  error(...args: unknown[]): void { this.write('error', args); }
  warn(...args: unknown[]): void { this.write('warn', args); }
  info(...args: unknown[]): void { this.write('info', args); }
  debug(...args: unknown[]): void { this.write('debug', args); }
  trace(...args: unknown[]): void { this.write('trace', args); }
  silent(): void {}

  child(...args: Parameters<FastifyBaseLogger['child']>): FastifyBaseLogger {
    return this.real().child(...args);
  }

  bindings(): Record<string, unknown> {
    return (this.real() as unknown as { bindings(): Record<string, unknown> }).bindings();
  }
}

/**
 * onResponse hook, in place of Fastify's own request logging (which logs the URL as sent, query
 * and all): one line per request with its route pattern and path, never the query string.
 * A callback hook: an async one makes a promise for every request. The line's fields are made
 * only when its logger writes `info` lines.
 */
export function logRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (hasLevelCheck(request.log) && !request.log.isLevelEnabled('info')) {
    done();
    return;
  }
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
