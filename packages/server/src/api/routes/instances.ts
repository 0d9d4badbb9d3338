import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/index.js';
import { principalOf } from '../auth.js';
import {
  CreateInstanceRequest, Credentials, Instance, InstanceParams, PageQuery, TeamParams, UpdateInstanceRequest, page, problemResponses,
} from '../schemas/index.js';

/**
 * A team's instances. Changes answer 202: the request is recorded and the engine provisions in
 * the background; follow progress with GET or the watch stream.
 */
export const instanceRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { instances } = services;

  app.get('/teams/:team/instances', {
    schema: {
      summary: "A team's instances, a page at a time", tags: ['instances'], operationId: 'listInstances',
      params: TeamParams, querystring: PageQuery, response: { 200: page(Instance), ...problemResponses },
    },
  }, async (request) => instances.list(principalOf(request), request.params.team, request.query));

  app.post('/teams/:team/instances', {
    schema: {
      summary: 'Request an instance of a product (team owner or member)', tags: ['instances'], operationId: 'createInstance',
      params: TeamParams, body: CreateInstanceRequest, response: { 202: Instance, ...problemResponses },
    },
  }, async (request, reply) => reply.status(202).send(await instances.create(principalOf(request), request.params.team, request.body)));

  app.get('/teams/:team/instances/:instance', {
    schema: {
      summary: 'An instance with its status and non-secret outputs', tags: ['instances'], operationId: 'getInstance',
      params: InstanceParams, response: { 200: Instance, ...problemResponses },
    },
  }, async (request) => instances.get(principalOf(request), request.params.team, request.params.instance));

  app.patch('/teams/:team/instances/:instance', {
    schema: {
      summary: "Change an instance's plan, version or inputs", tags: ['instances'], operationId: 'updateInstance',
      params: InstanceParams, body: UpdateInstanceRequest, response: { 202: Instance, ...problemResponses },
    },
  }, async (request, reply) => {
    const { team, instance } = request.params;
    return reply.status(202).send(await instances.update(principalOf(request), team, instance, request.body));
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
};
