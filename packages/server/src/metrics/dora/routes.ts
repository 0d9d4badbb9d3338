import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../../http/auth.js';
import { problemResponses } from '../../http/schemas.js';
import { DoraMetrics, DoraQuery } from './schemas.js';

export const doraRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/metrics/dora', {
    schema: {
      summary: 'DORA delivery metrics of a service, a team, or every service you may see, over whole days',
      description: 'Deployment frequency, lead time for changes, change failure rate, failed deployment recovery time and deployment rework rate, each with its DORA 2023 level as Apache DevLake computes it, and the data-quality problems found. Definitions: docs/metrics/dora.md.',
      tags: ['metrics'], operationId: 'getDoraMetrics', querystring: DoraQuery, response: { 200: DoraMetrics, ...problemResponses },
    },
  }, async (request) => services.dora.metrics(principalOf(request), request.query));
};
