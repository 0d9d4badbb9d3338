import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { InstanceWatchEvent, Services } from '../../services/index.js';
import { principalOf } from '../auth.js';
import { InstanceParams, problemResponses } from '../schemas/index.js';

export interface WatchOptions {
  services: Services;
  /** Comment sent on an idle stream so that proxies keep it open. Default 15 s. */
  keepaliveMs?: number;
}

/**
 * GET …/instances/{instance}/watch: a text/event-stream of `status` events (the Instance JSON,
 * first its current state, then after every change) and a final `deleted` event. Errors before
 * the stream starts (unknown instance, no access) are ordinary problems.
 */
export const watchRoutes: FastifyPluginAsyncTypebox<WatchOptions> = async (app, { services, keepaliveMs = 15_000 }) => {
  // Open streams never end by themselves; closing the server ends them.
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });

  app.get('/teams/:team/instances/:instance/watch', {
    schema: {
      summary: "Follow an instance's status (server-sent events)", tags: ['instances'], operationId: 'watchInstance',
      description: 'Events: `status` (data: Instance JSON) now and after every change; `deleted` once the instance is gone, then the stream ends. A `: keepalive` comment every 15 s.',
      params: InstanceParams,
      response: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: Type.String() } } },
        ...problemResponses,
      },
    },
  }, async (request, reply) => {
    const { team, instance } = request.params;
    const raw = reply.raw;
    const early: InstanceWatchEvent[] = [];
    let send: (event: InstanceWatchEvent) => void = (event) => early.push(event);
    // Subscribing first authorizes and finds the instance, so a refusal is still a problem response.
    const stop = await services.instances.watch(principalOf(request), team, instance, (event) => send(event));

    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    open.add(raw);
    const keepalive = setInterval(() => raw.write(': keepalive\n\n'), keepaliveMs);
    const finish = () => {
      clearInterval(keepalive);
      stop();
      open.delete(raw);
    };
    raw.on('close', finish);
    send = (event) => {
      if (raw.writableEnded) return;
      if (event.type === 'status') {
        raw.write(`event: status\ndata: ${JSON.stringify(event.instance)}\n\n`);
      } else {
        // A data line is needed: an event without data is not dispatched by EventSource parsers.
        raw.write(`event: deleted\ndata: ${JSON.stringify({ team, instance })}\n\n`);
        finish();
        raw.end();
      }
    };
    for (const event of early.splice(0)) send(event);
  });
};
