import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../../http/auth.js';
import { problemResponses } from '../../http/schemas.js';
import { AdoptionMeasures, AdoptionQuery } from './schemas.js';

/** Adoption over time: catalogued services whose resources come from Paved. */
export const adoptionRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/metrics/adoption', {
    schema: {
      summary: 'Share of catalogued services with resources from Paved, week by week (platform teams and admins; a team\'s own with `team`)',
      tags: ['metrics'], operationId: 'getAdoption',
      querystring: AdoptionQuery, response: { 200: AdoptionMeasures, ...problemResponses },
    },
  }, async (request) => services.adoption.get(principalOf(request), request.query));
};
