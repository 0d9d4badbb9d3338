import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export interface PortalOptions {
  /** The portal's built files (packages/portal/dist): index.html and assets/. */
  dir: string;
}

/**
 * The page's own Content-Security-Policy (the API's allows nothing): scripts, styles and
 * requests only from this origin. Styles may be inline because the chart library positions
 * its tooltip with style attributes; no inline script is allowed.
 */
const PAGE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * The portal's client-side routes (its App.tsx): each answers the same page, which routes in
 * the browser. A page missing here still works from the menu but not from a link or a reload.
 */
export const PORTAL_PAGES = ['/', '/sign-in', '/products', '/products/*', '/requests/*', '/team', '/team/*', '/approvals', '/rollouts', '/dashboards', '/dashboards/*', '/admin', '/admin/*'];

/**
 * Serves the web portal (docs/portal.md): hashed assets from dist/assets with @fastify/static,
 * cached for a year (their names change with their content), and index.html for every page
 * path, never cached, so a new build is picked up on the next visit. Hidden from the OpenAPI
 * document: these are pages, not API.
 */
export async function portalRoutes(app: FastifyInstance, { dir }: PortalOptions): Promise<void> {
  const page = readFileSync(join(dir, 'index.html'));
  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/assets/',
    index: false,
    immutable: true,
    maxAge: '365d',
    // The build writes .br and .gz beside each script and style sheet: sent when the browser takes them.
    preCompressed: true,
  });
  for (const url of PORTAL_PAGES) {
    app.get(url, { schema: { hide: true }, securityHeaders: { contentSecurityPolicy: { useDefaults: false, directives: PAGE_CSP } } }, async (_request, reply) => {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
    });
  }
}
