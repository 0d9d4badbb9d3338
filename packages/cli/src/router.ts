import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** A route as Paved recorded it: requests for `host` whose path matches `path` go to `target`. */
export interface RouteEntry {
  /** The route instance's name, for messages. */
  name: string;
  host: string;
  /** Score's route path: a prefix, or an expression as score-compose has it (`/my/[^/]+/path`). */
  path: string;
  /** e.g. http://127.0.0.1:8080 */
  target: string;
}

export interface Router {
  port: number;
  close(): Promise<void>;
}

/**
 * Does `path` (a request's) fall under a route's path? As score-compose's router has it: the
 * route path matches the whole request path, or a prefix of it ending at a "/". A plain path
 * (`/api`) is a prefix; one with expression characters is an expression.
 */
export function routeMatches(routePath: string, requestPath: string): boolean {
  const base = routePath === '/' ? '' : routePath;
  try {
    return new RegExp(`^(?:${base})(?:/.*)?$`).test(requestPath);
  } catch {
    return false;
  }
}

/** The route for a request: the host's routes, the longest matching path first. */
export function findRoute(routes: readonly RouteEntry[], host: string, path: string): RouteEntry | undefined {
  return routes
    .filter((r) => r.host === host && routeMatches(r.path, path))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

/**
 * The environment's router on a developer's machine: a reverse proxy on 127.0.0.1:`port` that
 * serves every route of the team's workloads there, by Host header and path, to the port the
 * workload's process listens on (plain HTTP and WebSocket upgrades). Proxying itself is
 * http-proxy-3's (headers, X-Forwarded-*, upgrades, errors); what is Paved's is the choice of
 * route. Routes are read when it starts and again, at most once a second, when a request
 * finds none, so a workload applied later is served without a restart.
 * Undefined when the port is taken (another `paved run` serves the routes already).
 */
export async function startRouter(options: { port: number; routes: () => Promise<RouteEntry[]>; onError?: (message: string) => void; now?: () => number }): Promise<Router | undefined> {
  const now = options.now ?? Date.now;
  let routes = await options.routes();
  let readAt = now();
  const current = async (host: string, path: string): Promise<RouteEntry | undefined> => {
    const found = findRoute(routes, host, path);
    if (found || now() - readAt < 1000) return found;
    readAt = now();
    routes = await options.routes().catch(() => routes);
    return findRoute(routes, host, path);
  };
  // Loaded here: every other command starts without it.
  const { createProxyServer } = await import('http-proxy-3');
  const proxy = createProxyServer({ xfwd: true });
  const hostOf = (req: IncomingMessage) => (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const pathOf = (req: IncomingMessage) => (req.url ?? '/').split('?')[0]!;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void current(hostOf(req), pathOf(req)).then((route) => {
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`Paved router: no route for ${hostOf(req)}${pathOf(req)} (routes: ${routes.map((r) => `${r.host}${r.path}`).join(', ') || 'none'})\n`);
        return;
      }
      proxy.web(req, res, { target: route.target }, (error) => {
        options.onError?.(`route ${route.name}: ${route.target} did not answer (${error.message}): is the workload running?`);
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`Paved router: ${route.target} did not answer: is ${route.name}'s workload running?\n`);
      });
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void current(hostOf(req), pathOf(req)).then((route) => {
      if (!route) return socket.destroy();
      proxy.ws(req, socket, head, { target: route.target }, () => socket.destroy());
    });
  });
  const listening = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    server.listen(options.port, '127.0.0.1', () => resolve(true));
  });
  if (!listening) return undefined;
  return {
    port: options.port,
    close: () => new Promise<void>((resolve) => {
      proxy.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
