import type { Instance } from '@paved/model';
import type { Context } from './context.js';
import type { RenderedWorkload } from './commands/workload.js';
import { startRouter, type RouteEntry, type Router } from './router.js';

/** A Ready route instance as the router serves it; undefined for one without its outputs yet. */
function routeEntry(instance: Instance): RouteEntry | undefined {
  const { host, path, target } = instance.outputs;
  if (instance.product !== 'route' || instance.deletionRequested || !host || !path || !target) return undefined;
  return { name: instance.name, host, path, target };
}

/** The port of a route's public URL: where the environment's router listens. */
function routerPort(url: string): number | undefined {
  try {
    const parsed = new URL(url);
    return parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  } catch {
    return undefined;
  }
}

/**
 * For `paved run -f score.yaml` of a workload with routes: the environment's router, serving
 * every route of the team's workloads in that environment (so one `paved run` serves another
 * workload's routes too), on the port the routes' URLs name (the `score` target's routerPort).
 * When another `paved run` holds the port already, it serves them: said, and nothing started.
 */
export async function startWorkloadRouter(ctx: Context, rendered: RenderedWorkload): Promise<Router | undefined> {
  const mine = rendered.instances.map(routeEntry).filter((r): r is RouteEntry => r !== undefined);
  if (mine.length === 0) return undefined;
  const port = routerPort(rendered.instances.find((i) => i.name === mine[0]!.name)!.outputs.url ?? '');
  if (port === undefined) return undefined;
  const client = await ctx.client();
  const routes = async (): Promise<RouteEntry[]> => {
    const all: RouteEntry[] = [];
    for await (const instance of client.iterateInstances(rendered.team)) {
      if (instance.workload?.environment !== rendered.env) continue;
      const entry = routeEntry(instance);
      if (entry) all.push(entry);
    }
    return all;
  };
  const router = await startRouter({ port, routes, onError: (message) => ctx.err(`${ctx.colors.yellow(`Paved router: ${message}`)}\n`) });
  const urls = rendered.instances.filter((i) => routeEntry(i)).map((i) => i.outputs.url).join(', ');
  if (router) ctx.err(ctx.colors.dim(`paved: routes served on 127.0.0.1:${port}: ${urls} (*.localhost names reach this machine from browsers and curl)\n`));
  else ctx.err(ctx.colors.dim(`paved: port ${port} is taken (another paved run serves ${rendered.env}'s routes?): ${urls} are served there, not here\n`));
  return router;
}
