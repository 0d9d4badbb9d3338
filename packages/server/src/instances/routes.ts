import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InputError, type CreateInstanceRequest as CreateInstanceRequestBody } from '@paved/model';
import type { Services } from '../services.js';
import { DEFAULT_KEEPALIVE_MS, eventStreamResponse, eventStreams } from '../http/event-stream.js';
import type { StreamSlots } from '../http/stream-slots.js';
import { principalOf, type Reauthenticate } from '../http/auth.js';
import { requestInterfaceOf } from '../http/request-context.js';
import { RECEIVED_BESIDE, receivedRecord, type RecordOperation, type RecordStreamed } from '../audit/recorder.js';
import { problemParts } from '../http/problems.js';
import { serveStatusStream } from './status-stream.js';
import { createWatched } from './create-watched.js';
import { sendSerializedOnce } from '../http/serialized-once.js';
import { ONE_QUESTION } from '../http/one-question.js';
import { CreateInstanceRequest, CreateQuery, Credentials, Instance, InstanceListQuery, PavedEvent, RequestPreview, UpdateInstanceRequest, WatchQuery } from './schemas.js';
import { InstanceParams, PageQuery, TeamParams, page, problemResponses } from '../http/schemas.js';

/**
 * A team's instances. Changes answer 202: the request is recorded and the engine provisions in
 * the background; follow progress with GET or the watch stream.
 */
export interface InstanceRoutesOptions {
  services: Services;
  /** Comment sent on an idle watch stream so that proxies keep it open. Default 15 s. */
  keepaliveMs?: number;
  /** Open streams per user, shared with the log follow route. */
  slots?: StreamSlots;
  /** For the watch stream's reveal: the caller's credential verified again, and the audit records of a reveal. */
  reauthenticate: Reauthenticate;
  record: RecordOperation;
  /** The `completed` record of a create answered with its status stream (onSend does not see a stream). */
  recordStreamed: RecordStreamed;
}

export const instanceRoutes: FastifyPluginAsyncTypebox<InstanceRoutesOptions> = async (app, { services, keepaliveMs = DEFAULT_KEEPALIVE_MS, slots, reauthenticate, record, recordStreamed }) => {
  const streams = eventStreams(app, keepaliveMs, slots);
  const { instances } = services;

  app.get('/teams/:team/instances', {
    config: ONE_QUESTION,
    schema: {
      summary: "A team's instances, a page at a time", tags: ['instances'], operationId: 'listInstances',
      params: TeamParams, querystring: InstanceListQuery, response: { 200: page(Instance), ...problemResponses },
    },
  }, (request, reply) => {
    // As get one below: a page kept and still current is sent at once (InstanceService.listKept).
    const principal = principalOf(request);
    const kept = instances.listKept?.(principal, request.params.team, request.query);
    if (kept === undefined) {
      return instances.list(principal, request.params.team, request.query).then((found) => {
        sendSerializedOnce(reply, found);
      });
    }
    sendSerializedOnce(reply, kept);
    return undefined;
  });

  app.post('/teams/:team/instances', {
    // Its `received` record is written while the create reads: awaited before the insert.
    config: RECEIVED_BESIDE,
    schema: {
      summary: 'Request an instance of a product (team owner or member)', tags: ['instances'], operationId: 'createInstance',
      description: 'Policies judge the request (docs/policies.md): a deny policy refuses it (403 policy_denied), a requireApproval one holds it in phase AwaitingApproval. '
        + 'With `dryRun: true` the answer is 200 with every decision and quota, and nothing is created. '
        + 'With `?wait=ready` the answer is the instance\'s status stream (200, text/event-stream, as watchInstance\'s, `reveal=true` included): '
        + 'one request from the create to the credentials; a refused create is still the usual problem response.',
      params: TeamParams, querystring: CreateQuery, body: CreateInstanceRequest,
      response: { 200: { description: 'With `dryRun: true`: every decision and quota (RequestPreview). With `?wait=ready`: the status stream', content: { 'application/json': { schema: RequestPreview }, ...eventStreamResponse.content } }, 202: Instance, ...problemResponses },
    },
  }, async (request, reply) => {
    const { dryRun, ...body } = request.body;
    const { wait, reveal } = request.query;
    if (reveal !== undefined && wait === undefined) throw new InputError('reveal needs wait=ready: the credentials come on the status stream', { code: 'reveal_without_wait', issues: [{ path: 'query.reveal', message: 'needs wait=ready' }] });
    if (dryRun && wait !== undefined) throw new InputError('A dry run creates nothing to wait for: leave out wait', { code: 'wait_with_dry_run', issues: [{ path: 'query.wait', message: 'not with dryRun' }] });
    if (dryRun) return reply.status(200).send(await instances.previewCreate(principalOf(request), request.params.team, body, requestInterfaceOf(request)));
    if (wait === 'ready') return createStreamed(request, reply, request.params.team, body, reveal === true);
    return reply.status(202).send(await instances.create(principalOf(request), request.params.team, body, requestInterfaceOf(request), receivedRecord(request)));
  });

  /**
   * A create answered with its status stream: the watch's stream without the watch's request
   * (its parse, authentication, team and instance reads, bench/README.md §1). Create needs the
   * role a reveal needs (team owner or member), so `reveal=true` asks for nothing more.
   */
  const createStreamed = (request: FastifyRequest, reply: FastifyReply, team: string, body: CreateInstanceRequestBody, reveal: boolean) => {
    const principal = principalOf(request);
    return serveStatusStream(streams, {
      request, reply, userId: principal.user.id, team, instance: body.name,
      ...(reveal ? { reveal: { instances, reauthenticate, record } } : {}),
      follow: async (listener) => (await createWatched(instances, principal, team, body, requestInterfaceOf(request), listener, receivedRecord(request), { forReveal: reveal })).stop,
      revealRecordFailed: (error) => request.log.warn({ code: problemParts(error).code }, 'the create\'s stream goes on without its reveal: its audit record was not written'),
      recordRevealAfterFollow: true,
      beforeOpen: () => recordStreamed(request, 200),
    });
  };

  app.get('/teams/:team/instances/:instance', {
    config: ONE_QUESTION,
    schema: {
      summary: 'An instance with its status and non-secret outputs', tags: ['instances'], operationId: 'getInstance',
      params: InstanceParams, response: { 200: Instance, ...problemResponses },
    },
  }, (request, reply) => {
    // Not an async handler: an instance kept and still current (InstanceService.getKept) is sent
    // at once, without the promises of the awaits through the services; any other takes them.
    const principal = principalOf(request);
    const { team, instance } = request.params;
    const kept = instances.getKept?.(principal, team, instance);
    if (kept === undefined) {
      return instances.get(principal, team, instance).then((found) => {
        sendSerializedOnce(reply, found);
      });
    }
    sendSerializedOnce(reply, kept);
    return undefined;
  });

  app.patch('/teams/:team/instances/:instance', {
    schema: {
      summary: "Change an instance's plan, version or inputs", tags: ['instances'], operationId: 'updateInstance',
      description: 'Judged by the policies like a create; with `dryRun: true` the answer is 200 with every decision and quota, and nothing changes.',
      params: InstanceParams, body: UpdateInstanceRequest, response: { 200: RequestPreview, 202: Instance, ...problemResponses },
    },
  }, async (request, reply) => {
    const { team, instance } = request.params;
    const { dryRun, ...body } = request.body;
    if (dryRun) return reply.status(200).send(await instances.previewUpdate(principalOf(request), team, instance, body, requestInterfaceOf(request)));
    return reply.status(202).send(await instances.update(principalOf(request), team, instance, body, requestInterfaceOf(request)));
  });

  app.delete('/teams/:team/instances/:instance', {
    schema: {
      summary: 'Delete an instance (idempotent); it goes to phase Deleting, then disappears', tags: ['instances'], operationId: 'deleteInstance',
      params: InstanceParams, response: { 202: Instance, ...problemResponses },
    },
  }, async (request, reply) => {
    const { team, instance } = request.params;
    return reply.status(202).send(await instances.delete(principalOf(request), team, instance));
  });

  // '::' is Fastify's escape for a literal ':' in a path (Google-style custom method).
  app.post('/teams/:team/instances/:instance/credentials::reveal', {
    schema: {
      summary: 'Reveal every output, secret ones included (team owner or member); audited', tags: ['instances'], operationId: 'revealCredentials',
      params: InstanceParams, response: { 200: Credentials, ...problemResponses },
    },
  }, async (request) => instances.revealCredentials(principalOf(request), request.params.team, request.params.instance));

  app.post('/teams/:team/instances/:instance/rotate', {
    schema: {
      summary: "Rotate an instance's credentials (team owner or member): a new credential is issued; the previous one works for the plan's grace period, then is revoked",
      tags: ['instances'], operationId: 'rotateInstance',
      params: InstanceParams, response: { 202: Instance, ...problemResponses },
    },
  }, async (request, reply) => {
    const { team, instance } = request.params;
    return reply.status(202).send(await instances.rotate(principalOf(request), team, instance));
  });

  app.post('/teams/:team/instances/:instance/reconcile', {
    schema: {
      summary: 'Reconcile an instance now (team owner or member), e.g. after fixing the cause of a failure',
      description: 'The engine takes the instance at once, with its failure backoff reset (and, for a composite, its parts). '
        + 'A Failed instance shows phase Provisioning (Deleting while being deleted) until the result; follow it with GET or the watch stream. '
        + 'Recorded as an `instance.reconcile-requested` event.',
      tags: ['instances'], operationId: 'reconcileInstance',
      params: InstanceParams, response: { 202: Instance, ...problemResponses },
    },
  }, async (request, reply) => {
    const { team, instance } = request.params;
    return reply.status(202).send(await instances.reconcile(principalOf(request), team, instance));
  });

  app.get('/teams/:team/events', {
    schema: {
      summary: "A team's events, a page at a time: instance changes, reveals, membership changes", tags: ['events'], operationId: 'listEvents',
      params: TeamParams, querystring: PageQuery, response: { 200: page(PavedEvent), ...problemResponses },
    },
  }, async (request) => services.instances.events(principalOf(request), request.params.team, request.query));

  // Errors before the stream starts (unknown instance, no access) are ordinary problems.
  app.get('/teams/:team/instances/:instance/watch', {
    schema: {
      summary: "Follow an instance's status (server-sent events)", tags: ['instances'], operationId: 'watchInstance',
      description: 'Events: `status` (data: Instance JSON) now and after every change; `deleted` once the instance is gone, then the stream ends. A `: keepalive` comment every 15 s. '
        + 'With `reveal=true` (team owner or member), a `credentials` event (data: Credentials) comes right before the first Ready `status`, revealed and audited as by credentials:reveal; '
        + 'when that reveal is refused or fails, the Ready `status` comes without it (credentials:reveal then says why).',
      params: InstanceParams, querystring: WatchQuery,
      response: { 200: eventStreamResponse, ...problemResponses },
    },
  }, async (request, reply) => {
    const { team, instance } = request.params;
    const principal = principalOf(request);
    return serveStatusStream(streams, {
      request, reply, userId: principal.user.id, team, instance,
      ...(request.query.reveal === true ? { reveal: { instances, reauthenticate, record } } : {}),
      // Subscribing first authorizes and finds the instance, so a refusal is still a problem response.
      follow: (listener) => instances.watch(principal, team, instance, listener, { forReveal: request.query.reveal === true }),
      // Nothing is served without the reveal's record: the request fails, as before.
      revealRecordFailed: (error) => {
        throw error;
      },
    });
  });
};
