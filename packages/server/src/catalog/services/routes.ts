import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../../http/auth.js';
import { CreateServiceRequest, Service, ServiceParams, UpdateServiceRequest } from '../schemas.js';
import { PageQuery, TeamParams, page, problemResponses } from '../../http/schemas.js';

/** The catalog of services: all of them for browsing, and each team's own. */
export const serviceRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const catalog = services.services;

  app.get('/services', {
    schema: { summary: "Every team's services (the catalog)", tags: ['services'], operationId: 'listAllServices', querystring: PageQuery, response: { 200: page(Service), ...problemResponses } },
  }, async (request) => catalog.listAll(principalOf(request), request.query));

  app.get('/teams/:team/services', {
    schema: { summary: "A team's services", tags: ['services'], operationId: 'listServices', params: TeamParams, querystring: PageQuery, response: { 200: page(Service), ...problemResponses } },
  }, async (request) => catalog.list(principalOf(request), request.params.team, request.query));

  app.post('/teams/:team/services', {
    schema: { summary: 'Register a service (team owner or member)', tags: ['services'], operationId: 'createService', params: TeamParams, body: CreateServiceRequest, response: { 201: Service, ...problemResponses } },
  }, async (request, reply) => reply.status(201).send(await catalog.create(principalOf(request), request.params.team, request.body)));

  app.get('/teams/:team/services/:service', {
    schema: { summary: 'A service', tags: ['services'], operationId: 'getService', params: ServiceParams, response: { 200: Service, ...problemResponses } },
  }, async (request) => catalog.get(principalOf(request), request.params.team, request.params.service));

  app.patch('/teams/:team/services/:service', {
    schema: { summary: "Change a service's description, repository, lifecycle or system", tags: ['services'], operationId: 'updateService', params: ServiceParams, body: UpdateServiceRequest, response: { 200: Service, ...problemResponses } },
  }, async (request) => catalog.update(principalOf(request), request.params.team, request.params.service, request.body));

  app.delete('/teams/:team/services/:service', {
    schema: { summary: 'Remove a service from the catalog (refused while it has instances)', tags: ['services'], operationId: 'deleteService', params: ServiceParams, response: { 204: Type.Null({ description: 'Removed' }), ...problemResponses } },
  }, async (request, reply) => {
    await catalog.delete(principalOf(request), request.params.team, request.params.service);
    return reply.status(204).send(null);
  });
};
