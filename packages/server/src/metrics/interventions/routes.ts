import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../../http/auth.js';
import { InstanceParams, problemResponses } from '../../http/schemas.js';
import { InterventionMeasures, InterventionQuery, InterventionRequest, RecordedIntervention } from './schemas.js';

/** Interventions per team and week, and recording the ones Paved cannot see (manual fixes, approvals). */
export const interventionRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { interventions } = services;

  app.get('/metrics/interventions', {
    schema: {
      summary: 'Interventions per team and week, and the share of requests Ready without one (a team\'s members with `team`; a product\'s owner team with `product`; every team: admins)',
      tags: ['metrics'], operationId: 'getInterventions',
      querystring: InterventionQuery, response: { 200: InterventionMeasures, ...problemResponses },
    },
  }, async (request) => interventions.get(principalOf(request), request.query));

  app.post('/teams/:team/instances/:instance/interventions', {
    schema: {
      summary: "Record a manual fix or an approval on a team's instance (the product's owner platform team, platform admins)",
      tags: ['metrics'], operationId: 'recordIntervention',
      params: InstanceParams, body: InterventionRequest, response: { 201: RecordedIntervention, ...problemResponses },
    },
  }, async (request, reply) => {
    const recorded = await interventions.record(principalOf(request), request.params.team, request.params.instance, request.body);
    return reply.code(201).send(recorded);
  });
};
