import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { FastifyInstance, FastifyReply, onRequestHookHandler } from 'fastify';

declare module 'fastify' {
  interface RouteShorthandOptions {
    /** This route's own helmet options, over the API's (a page's Content-Security-Policy). */
    securityHeaders?: HelmetOptions;
  }
  interface FastifyContextConfig {
    /** The headers `securityHeaders` made, once, when the route was added. */
    paved_securityHeaders?: HeaderList;
  }
}

/** The API's Content-Security-Policy: a JSON answer loads and frames nothing. */
const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"] };

/** HSTS max-age when Paved serves TLS itself: 180 days. */
const HSTS_MAX_AGE_S = 180 * 24 * 3600;

type HeaderList = ReadonlyArray<readonly [string, string]>;

/**
 * Security headers on every response, made by helmet. The API answers JSON that no page should
 * load or frame: nosniff, no referrer, frames denied, and a Content-Security-Policy that allows
 * nothing. HSTS only when this server speaks TLS itself (a header over plain HTTP means nothing).
 * A route that serves a page (the portal) sets its own with the route option
 * `securityHeaders: { contentSecurityPolicy: { directives: … } }`.
 *
 * The headers depend on the options only, so helmet makes them once per set of options (the
 * API's, and each route's own) and every response gets the list: @fastify/helmet built helmet's
 * middleware anew on every request, parsing the policy each time (≈ 4 % of the server's CPU
 * under read load, bench/README.md §2).
 */
export async function securityHeaders(app: FastifyInstance, options: { tls: boolean }): Promise<void> {
  const api: HelmetOptions = {
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: options.tls ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: true } : false,
  };
  const apiHeaders = headersOf(api);
  app.addHook('onRoute', (route) => {
    if (route.securityHeaders === undefined) return;
    route.config = { ...route.config, paved_securityHeaders: headersOf({ ...api, ...route.securityHeaders } as HelmetOptions) };
  });
  // Into the reply's own headers, not the raw response's: Node then takes them as they are given
  // to writeHead instead of checking and storing each one twice (setHeader, then writeHead). A
  // route that writes its raw response itself (an event stream) passes reply.getHeaders() on.
  const apply: onRequestHookHandler = (request, reply, done) => {
    for (const [name, value] of request.routeOptions.config.paved_securityHeaders ?? apiHeaders) reply.header(name, value);
    done();
  };
  app.addHook('onRequest', apply);
}

/** The headers helmet sets for `options`, found by running its middleware once on a response that only records them. */
function headersOf(options: HelmetOptions): HeaderList {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return [...headers];
}

/**
 * The API's essential headers, for the few answers Fastify gives before any hook (and so
 * helmet) runs: a URL it cannot route.
 */
export function setSecurityHeaders(reply: FastifyReply): void {
  reply.headers({
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  });
}
