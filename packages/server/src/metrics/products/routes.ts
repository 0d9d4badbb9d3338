import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../../http/auth.js';
import { problemResponses } from '../../http/schemas.js';
import { ProductMeasures, ProductMeasuresList, ProductMeasuresQuery, ProductParams } from './schemas.js';

/** Product analytics: adoption, live instances, version spread, time to Ready against the SLO, success rate. */
export const productMeasuresRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { productMeasures } = services;

  app.get('/metrics/products', {
    schema: {
      summary: "Analytics of the products your platform teams own (every product for platform admins)", tags: ['metrics'], operationId: 'listProductMeasures',
      querystring: ProductMeasuresQuery, response: { 200: ProductMeasuresList, ...problemResponses },
    },
  }, async (request) => productMeasures.list(principalOf(request), request.query));

  app.get('/metrics/products/:product', {
    schema: {
      summary: "A product's analytics (its owner platform team, platform admins)", tags: ['metrics'], operationId: 'getProductMeasures',
      params: ProductParams, querystring: ProductMeasuresQuery, response: { 200: ProductMeasures, ...problemResponses },
    },
  }, async (request) => productMeasures.get(principalOf(request), request.params.product, request.query));
};
