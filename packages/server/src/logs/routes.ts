import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { LogLine } from '@paved/model';
import type { Services } from '../services.js';
import { principalOf, type Reauthenticate } from '../http/auth.js';
import { DEFAULT_KEEPALIVE_MS, eventStreamResponse, eventStreams } from '../http/event-stream.js';
import type { StreamSlots } from '../http/stream-slots.js';
import { problemResponses } from '../http/schemas.js';
import { AppendLogLinesRequest, AppendLogLinesResponse, LogFollowQuery, LogListQuery, LogPage, LogStreamParams, PruneLogsResponse } from './schemas.js';

export interface LogRoutesOptions {
  services: Services;
  /** Comment sent on an idle follow stream so that proxies keep it open. Default 15 s. */
  keepaliveMs?: number;
  /** Open streams per user, shared with the instance watch route. */
  slots?: StreamSlots;
  /** A follower's credential verified again before each delivery. */
  reauthenticate: Reauthenticate;
}

const streamPath = '/teams/:team/services/:service/environments/:environment/logs';

/** A service's log stream in one environment: ship lines, read them, follow them live. */
export const logRoutes: FastifyPluginAsyncTypebox<LogRoutesOptions> = async (app, { services, keepaliveMs = DEFAULT_KEEPALIVE_MS, slots, reauthenticate }) => {
  const { logs } = services;
  const streams = eventStreams(app, keepaliveMs, slots);

  app.post(streamPath, {
    schema: {
      summary: "Ship lines to a service's log stream (team owner or member)", tags: ['logs'], operationId: 'appendLogLines',
      params: LogStreamParams, body: AppendLogLinesRequest, response: { 200: AppendLogLinesResponse, ...problemResponses },
    },
  }, async (request) => logs.append(principalOf(request), request.params, request.body.lines));

  app.get(streamPath, {
    schema: {
      summary: "Read a service's log lines, oldest first", tags: ['logs'], operationId: 'listLogLines',
      params: LogStreamParams, querystring: LogListQuery, response: { 200: LogPage, ...problemResponses },
    },
  }, async (request) => logs.list(principalOf(request), request.params, request.query));

  app.get(`${streamPath}/follow`, {
    schema: {
      summary: "Follow a service's log stream (server-sent events)", tags: ['logs'], operationId: 'followLogLines',
      description: 'Events: `log` (data: LogLine JSON) for each line as it arrives: after `cursor`, or since `since`, or from now. A `: keepalive` comment every 15 s. Ends when the client disconnects, or when the caller may no longer read the stream (token revoked, user disabled or removed from the team): that line is not sent.',
      params: LogStreamParams, querystring: LogFollowQuery,
      response: { 200: eventStreamResponse, ...problemResponses },
    },
  }, async (request, reply) => {
    const early: LogLine[] = [];
    let send: (lines: LogLine[]) => void | Promise<void> = (lines) => {
      early.push(...lines);
    };
    // Subscribing first authorizes and checks the stream, so a refusal is still a problem response.
    const principal = principalOf(request);
    const stream = await streams.start(reply, principal.user.id, () => logs.follow(principal, request.params, request.query, (lines) => send(lines)));
    // Sent at once so the client knows it is following before any line arrives.
    stream.comment('following');
    stream.sendAll('log', early.splice(0));
    // Each later delivery is for the caller as they are then: a token revoked, a user disabled or
    // removed from the team since the follow began ends it (docs/authorization.md#tokens). A check
    // that cannot be made (the store away) ends it too: the client's reconnect asks again.
    send = async (lines) => {
      try {
        await logs.mayFollow(await reauthenticate(request, 'read'), request.params);
      } catch {
        stream.end();
        return;
      }
      stream.sendAll('log', lines);
    };
  });

  // '::' is Fastify's escape for a literal ':' (Google-style custom method).
  app.post('/admin/logs::prune', {
    schema: {
      summary: 'Delete expired log lines now (platform admins); the server also does it every 10 minutes', tags: ['logs'], operationId: 'pruneLogs',
      response: { 200: PruneLogsResponse, ...problemResponses },
    },
  }, async (request) => logs.prune(principalOf(request)));
};
