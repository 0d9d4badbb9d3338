import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

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
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: options.tls ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: true } : false,
  });
}
