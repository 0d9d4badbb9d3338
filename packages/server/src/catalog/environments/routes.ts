import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../../http/auth.js';
import { CreateEnvironmentRequest, Environment, EnvironmentParams, UpdateEnvironmentRequest } from '../schemas.js';
import { problemResponses } from '../../http/schemas.js';

/** Environments (dev, staging, prod, …): read by everyone signed in, changed by platform admins. */
export const environmentRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { environments } = services;

  app.get('/environments', {
    schema: { summary: 'Every environment', tags: ['environments'], operationId: 'listEnvironments', response: { 200: Type.Array(Environment), ...problemResponses } },
  }, async (request) => environments.list(principalOf(request)));

  app.post('/environments', {
    schema: { summary: 'Add an environment (platform admin)', tags: ['environments'], operationId: 'createEnvironment', body: CreateEnvironmentRequest, response: { 201: Environment, ...problemResponses } },
  }, async (request, reply) => reply.status(201).send(await environments.create(principalOf(request), request.body)));

  app.get('/environments/:environment', {
    schema: { summary: 'An environment with its target selection and policies', tags: ['environments'], operationId: 'getEnvironment', params: EnvironmentParams, response: { 200: Environment, ...problemResponses } },
  }, async (request) => environments.get(principalOf(request), request.params.environment));

  app.put('/environments/:environment', {
    schema: { summary: "Change an environment's description, target selector or policies (platform admin)", tags: ['environments'], operationId: 'updateEnvironment', params: EnvironmentParams, body: UpdateEnvironmentRequest, response: { 200: Environment, ...problemResponses } },
  }, async (request) => environments.update(principalOf(request), request.params.environment, request.body));
};
