import { Type } from '#typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { UnavailableError } from '@paved/model';
import type { Store } from '@paved/store';
import { problemResponses } from '../http/schemas.js';

export interface HealthOptions {
  store: Store;
  version: string;
}

const Health = Type.Object({ status: Type.Literal('ok'), version: Type.String() });

/** Liveness and readiness, without a token, for load balancers and `paved up`. */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = async (app, { store, version }) => {
  app.get('/healthz', {
    schema: { summary: 'Liveness: the process serves HTTP', tags: ['health'], operationId: 'getLiveness', security: [], response: { 200: Health } },
  }, async () => ({ status: 'ok' as const, version }));

  app.get('/readyz', {
    schema: {
      summary: 'Readiness: the store answers', tags: ['health'], operationId: 'getReadiness', security: [], response: { 200: Health, ...problemResponses },
    },
  }, async () => {
    try {
      await store.ping();
    } catch (error) {
      throw new UnavailableError('The store does not answer; see the server log', { code: 'store_unreachable', cause: error });
    }
    return { status: 'ok' as const, version };
  });
};
