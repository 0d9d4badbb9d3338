import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { originOf } from '../http/request-context.js';
import { problemResponses } from '../http/schemas.js';
import {
  CreateTokenRequest, CreateUserRequest, CreatedUser, IssuedToken, TokenInfo, TokenParams, UpdateUserRequest, User, UserParams, WhoAmI,
} from './schemas.js';

/** The caller, users and their API tokens. */
export const userRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { identity } = services;

  app.get('/whoami', {
    schema: { summary: 'The signed-in user, their teams and the token in use', tags: ['users'], operationId: 'whoami', response: { 200: WhoAmI, ...problemResponses } },
  }, async (request) => identity.whoami(principalOf(request)));

  app.get('/users', {
    schema: { summary: 'Every user (platform admins)', tags: ['users'], operationId: 'listUsers', response: { 200: Type.Object({ items: Type.Array(User) }), ...problemResponses } },
  }, async (request) => ({ items: await identity.listUsers(principalOf(request)) }));

  app.post('/users', {
    schema: {
      summary: 'Create a user (platform admin); returns their first token, once', tags: ['users'], operationId: 'createUser',
      body: CreateUserRequest, response: { 201: CreatedUser, ...problemResponses },
    },
  }, async (request, reply) => reply.status(201).send(await identity.createUser(principalOf(request), request.body, originOf(request))));

  app.patch('/users/:user', {
    schema: {
      summary: 'Disable or enable a user (platform admin); a disabled user\'s tokens stop working at once', tags: ['users'], operationId: 'updateUser',
      params: UserParams, body: UpdateUserRequest, response: { 200: User, ...problemResponses },
    },
  }, async (request) => identity.updateUser(principalOf(request), request.params.user, request.body));

  app.get('/users/:user/tokens', {
    schema: {
      summary: "A user's API tokens, never the tokens themselves (the user, or a platform admin)", tags: ['users'], operationId: 'listTokens',
      params: UserParams, response: { 200: Type.Object({ items: Type.Array(TokenInfo) }), ...problemResponses },
    },
  }, async (request) => ({ items: await identity.listTokens(principalOf(request), request.params.user) }));

  app.post('/users/:user/tokens', {
    schema: {
      summary: 'Create an API token (the user, or a platform admin): expiry, read-only, one team; returned once', tags: ['users'], operationId: 'createToken',
      params: UserParams, body: CreateTokenRequest, response: { 201: IssuedToken, ...problemResponses },
    },
  }, async (request, reply) => reply.status(201).send(await identity.issueToken(principalOf(request), request.params.user, request.body, originOf(request))));

  app.delete('/users/:user/tokens/:token', {
    schema: {
      summary: 'Revoke an API token: it stops working with the next request', tags: ['users'], operationId: 'revokeToken',
      params: TokenParams, response: { 204: Type.Null({ description: 'Revoked' }), ...problemResponses },
    },
  }, async (request, reply) => {
    await identity.revokeToken(principalOf(request), request.params.user, request.params.token, originOf(request));
    return reply.status(204).send(null);
  });
};
