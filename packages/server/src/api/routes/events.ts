import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/index.js';
import { principalOf } from '../auth.js';
import { PageQuery, PavedEvent, TeamParams, page, problemResponses } from '../schemas/index.js';

/** A team's event history: instance changes, reveals, membership changes. */
export const eventRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/teams/:team/events', {
    schema: {
      summary: "A team's events, a page at a time", tags: ['events'], operationId: 'listEvents',
      params: TeamParams, querystring: PageQuery, response: { 200: page(PavedEvent), ...problemResponses },
    },
  }, async (request) => services.instances.events(principalOf(request), request.params.team, request.query));
};
