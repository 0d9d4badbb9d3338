import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InputError } from '@paved/model';

/**
 * Deepest nesting of objects and arrays a request body may have. Paved's largest bodies (a
 * product manifest with its inputs schema, a Backstage catalog) stay far below it; far deeper
 * bodies exist only to overflow the stack of the recursive validators that run after parsing.
 */
export const MAX_JSON_DEPTH = 64;

type Done = (error: Error | null, body?: unknown) => void;

const NUL = '\u0000';

/**
 * The first thing in a parsed value that Paved refuses: an object or array nested deeper than
 * `max`, or a NUL character in a string or key (PostgreSQL text cannot hold one, and no name,
 * description or line needs it). Iterative, so any depth is safe to look at.
 */
function unacceptableAt(value: unknown, max = MAX_JSON_DEPTH): { path: string[]; problem: 'deep' | 'nul' } | undefined {
  const pending: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: node, path } = pending.pop()!;
    if (typeof node === 'string' && node.includes(NUL)) return { path, problem: 'nul' };
    if (typeof node !== 'object' || node === null) continue;
    if (path.length >= max) return { path, problem: 'deep' };
    for (const [key, child] of Object.entries(node)) {
      if (key.includes(NUL)) return { path: [...path, key], problem: 'nul' };
      if (typeof child === 'string' || (typeof child === 'object' && child !== null)) pending.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

/**
 * Checks a parsed request part (`where`: body, query or params): throws InputError
 * `body_too_deep` or `nul_character` naming the field.
 */
export function assertAcceptable(value: unknown, where = 'body', max = MAX_JSON_DEPTH): void {
  const found = unacceptableAt(value, max);
  if (found === undefined) return;
  // The path down to the depth limit can be long: name its start, which is enough to find it.
  const shown = [where, ...found.path.slice(0, 8)].join('.').replaceAll(NUL, '\\0') + (found.path.length > 8 ? '.…' : '');
  if (found.problem === 'nul') {
    throw new InputError(`${shown} contains a NUL character (\\u0000), which Paved does not store`, {
      code: 'nul_character',
      issues: [{ path: shown, message: 'must not contain a NUL character' }],
    });
  }
  throw new InputError(`The request body is nested more than ${max} levels deep (at ${shown})`, {
    code: 'body_too_deep',
    issues: [{ path: shown, message: `is nested more than ${max} levels deep` }],
  });
}

/** preValidation hook: no NUL character in the query string or path parameters either (a callback hook: no promise per request). */
export function refuseNulInUrl(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  try {
    if (!flatAndClean(request.params)) assertAcceptable(request.params, 'params');
    if (!flatAndClean(request.query)) assertAcceptable(request.query, 'query');
  } catch (error) {
    done(error as Error);
    return;
  }
  done();
}

/**
 * Fastify's own JSON parser (which refuses `__proto__` and `constructor.prototype` keys), then
 * the depth and NUL checks, before any schema validator walks the body. `onText` sees the raw text
 * first (the callbacks route keeps it, because its signature covers the exact bytes).
 */
export function guardedJsonParser(app: FastifyInstance, onText?: (request: FastifyRequest, text: string) => void) {
  const parse = app.getDefaultJsonParser('error', 'error');
  return (request: FastifyRequest, body: string | Buffer, done: Done): void => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    onText?.(request, text);
    parse(request, text, (error: Error | null, value?: unknown) => {
      if (error) return done(error, undefined);
      try {
        assertAcceptable(value);
      } catch (refused) {
        return done(refused as Error, undefined);
      }
      done(null, value);
    });
  };
}

/** Replaces the app's (or a plugin's) application/json parser with the guarded one. */
export function useGuardedJsonParser(app: FastifyInstance, onText?: (request: FastifyRequest, text: string) => void): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, guardedJsonParser(app, onText));
}

/** Whether `value` is an object of strings without a NUL character (the usual path parameters and query): nothing more to look at. */
function flatAndClean(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const key in value) {
    const field = (value as Record<string, unknown>)[key];
    if (typeof field !== 'string' || field.includes(NUL) || key.includes(NUL)) return false;
  }
  return true;
}
