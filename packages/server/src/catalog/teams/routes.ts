import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../../http/auth.js';
import { CreateTeamRequest, Membership, SetMembershipRequest, Team, UpdateTeamRequest } from '../../identity/schemas.js';
import { Name, PageQuery, TeamParams, page, problemResponses } from '../../http/schemas.js';

/** Teams and their members. */
export const teamRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { teams } = services;

  app.get('/teams', {
    schema: {
      summary: 'My teams (every team for platform admins)', tags: ['teams'], operationId: 'listTeams',
      querystring: PageQuery, response: { 200: page(Team), ...problemResponses },
    },
  }, async (request) => teams.list(principalOf(request)));

  app.post('/teams', {
    schema: {
      summary: 'Create a team (platform admin); the creator becomes its owner', tags: ['teams'], operationId: 'createTeam',
      body: CreateTeamRequest, response: { 201: Team, ...problemResponses },
    },
  }, async (request, reply) => reply.status(201).send(await teams.create(principalOf(request), request.body)));

  app.get('/teams/:team', {
    schema: { summary: 'A team', tags: ['teams'], operationId: 'getTeam', params: TeamParams, response: { 200: Team, ...problemResponses } },
  }, async (request) => teams.get(principalOf(request), request.params.team));

  app.get('/teams/:team/members', {
    schema: {
      summary: "A team's members", tags: ['teams'], operationId: 'listMembers',
      params: TeamParams, querystring: PageQuery, response: { 200: page(Membership), ...problemResponses },
    },
  }, async (request) => teams.members(principalOf(request), request.params.team));

  app.put('/teams/:team/members/:user', {
    schema: {
      summary: "Add a member or change their role (team owner or platform admin)", tags: ['teams'], operationId: 'setMembership',
      params: Type.Object({ team: Name, user: Name }), body: SetMembershipRequest, response: { 200: Membership, ...problemResponses },
    },
  }, async (request) => teams.setMembership(principalOf(request), request.params.team, request.params.user, request.body.role));

  app.patch('/teams/:team', {
    schema: {
      summary: "Change a team's title (team owner or platform admin) or whether it is a platform team (platform admin)", tags: ['teams'], operationId: 'updateTeam',
      params: TeamParams, body: UpdateTeamRequest, response: { 200: Team, ...problemResponses },
    },
  }, async (request) => teams.update(principalOf(request), request.params.team, request.body));

  app.delete('/teams/:team/members/:user', {
    schema: {
      summary: 'Remove a member (team owner or platform admin); a team keeps at least one owner', tags: ['teams'], operationId: 'removeMember',
      params: Type.Object({ team: Name, user: Name }), response: { 204: Type.Null({ description: 'Removed' }), ...problemResponses },
    },
  }, async (request, reply) => {
    await teams.removeMember(principalOf(request), request.params.team, request.params.user);
    return reply.status(204).send(null);
  });
};
