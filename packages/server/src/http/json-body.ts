import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InputError } from '@paved/model';

/**
 * Deepest nesting of objects and arrays a request body may have. Paved's largest bodies (a
 * product manifest with its inputs schema, a Backstage catalog) stay far below it; far deeper
 * bodies exist only to overflow the stack of the recursive validators that run after parsing.
 */
export const MAX_JSON_DEPTH = 64;

type Done = (error: Error | null, body?: unknown) => void;

/**
 * The path of the first object or array nested deeper than `max`, as segments from the body;
 * undefined when there is none. Iterative, so any depth is safe to look at.
 */
export function tooDeepAt(value: unknown, max = MAX_JSON_DEPTH): string[] | undefined {
  const pending: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: node, path } = pending.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (path.length >= max) return path;
    for (const [key, child] of Object.entries(node)) {
      if (typeof child === 'object' && child !== null) pending.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

/** Checks a parsed body's depth; throws InputError `body_too_deep` naming where it goes too deep. */
export function assertJsonDepth(body: unknown, max = MAX_JSON_DEPTH): void {
  const path = tooDeepAt(body, max);
  if (path === undefined) return;
  // The path down to the limit can be long: name its start, which is enough to find it.
  const shown = ['body', ...path.slice(0, 8)].join('.') + (path.length > 8 ? '.…' : '');
  throw new InputError(`The request body is nested more than ${max} levels deep (at ${shown})`, {
    code: 'body_too_deep',
    issues: [{ path: shown, message: `is nested more than ${max} levels deep` }],
  });
}

/**
 * Fastify's own JSON parser (which refuses `__proto__` and `constructor.prototype` keys), then
 * the depth check, before any schema validator walks the body. `onText` sees the raw text
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
        assertJsonDepth(value);
      } catch (tooDeep) {
        return done(tooDeep as Error, undefined);
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
