import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { CreateTokenRequest, CreateUserRequest, CreatedUser, IssuedToken, WhoAmI } from './schemas.js';
import { Name, problemResponses } from '../http/schemas.js';

/** The caller, users and their API tokens. */
export const userRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { identity } = services;

  app.get('/whoami', {
    schema: { summary: 'The signed-in user and their teams', tags: ['users'], operationId: 'whoami', response: { 200: WhoAmI, ...problemResponses } },
  }, async (request) => identity.whoami(principalOf(request)));

  app.post('/users', {
    schema: {
      summary: 'Create a user (platform admin); returns their first token, once', tags: ['users'], operationId: 'createUser',
      body: CreateUserRequest, response: { 201: CreatedUser, ...problemResponses },
    },
  }, async (request, reply) => {
    const created = await identity.createUser(principalOf(request), request.body);
    return reply.status(201).send(created);
  });

  app.post('/users/:user/tokens', {
    schema: {
      summary: 'Create another API token (admin or the user themself); returned once', tags: ['users'], operationId: 'createToken',
      params: Type.Object({ user: Name }), body: CreateTokenRequest, response: { 201: IssuedToken, ...problemResponses },
    },
  }, async (request, reply) => {
    const token = await identity.issueToken(principalOf(request), request.params.user, request.body.name);
    return reply.status(201).send(token);
  });
};
