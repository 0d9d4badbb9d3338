import type { FastifyInstance } from 'fastify';
import type { PlatformMetrics } from './platform-metrics.js';

/**
 * Counts every answered request of the API by its route *pattern* (`/api/v1/teams/:team`),
 * never its URL, so neither the label set nor what a scraper sees grows with team or instance
 * names. Registered on the root instance, before the routes, so it sees every route.
 */
export function countHttpRequests(app: FastifyInstance, metrics: PlatformMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequest({
      method: request.method,
      // Unset when no route matched (the not-found handler answered).
      route: request.is404 ? undefined : request.routeOptions.url,
      status: reply.statusCode,
      durationMs: reply.elapsedTime,
    });
    done();
  });
}
