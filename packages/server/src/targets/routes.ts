import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { problemResponses } from '../http/schemas.js';
import { TargetHealth } from './schemas.js';

/** The targets and their health, for the admin page and `paved targets`. */
export const targetRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/admin/targets', {
    schema: {
      summary: "Every configured target and its driver's preflight (platform admins; never the target's config)", tags: ['targets'], operationId: 'listTargets',
      response: { 200: Type.Object({ items: Type.Array(TargetHealth) }), ...problemResponses },
    },
  }, async (request) => ({ items: await services.targets.list(principalOf(request)) }));
};
