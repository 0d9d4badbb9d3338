import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The API's Content-Security-Policy: a JSON answer loads and frames nothing. */
const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"] };

/** HSTS max-age when Paved serves TLS itself: 180 days. */
const HSTS_MAX_AGE_S = 180 * 24 * 3600;

/**
 * Security headers on every response, with @fastify/helmet. The API answers JSON that no page
 * should load or frame: nosniff, no referrer, frames denied, and a Content-Security-Policy that
 * allows nothing. HSTS only when this server speaks TLS itself (a header over plain HTTP means
 * nothing). A route that serves a page (the portal, later) sets its own policy with the route
 * option `helmet: { contentSecurityPolicy: { directives: … } }`.
 */
export async function securityHeaders(app: FastifyInstance, options: { tls: boolean }): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: options.tls ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: true } : false,
  });
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
