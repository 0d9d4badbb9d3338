import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { PageQuery, page, problemResponses } from '../http/schemas.js';
import { ProductDetail, ProductManifest, ProductParams, ProductSummary, ProductVersion, ProductVersionParams, PublishResult } from './schemas.js';

/** The product catalog. */
export const productRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { products: catalog } = services;

  app.get('/products', {
    schema: {
      summary: 'The catalog: every product at its latest version', tags: ['products'], operationId: 'listProducts',
      querystring: PageQuery, response: { 200: page(ProductSummary), ...problemResponses },
    },
  }, async (request) => catalog.list(principalOf(request)));

  app.get('/products/:product', {
    schema: {
      summary: 'A product at its latest version, with every published version', tags: ['products'], operationId: 'getProduct',
      params: ProductParams, response: { 200: ProductDetail, ...problemResponses },
    },
  }, async (request) => catalog.get(principalOf(request), request.params.product));

  app.get('/products/:product/versions/:version', {
    schema: {
      summary: 'One published version of a product', tags: ['products'], operationId: 'getProductVersion',
      params: ProductVersionParams, response: { 200: ProductVersion, ...problemResponses },
    },
  }, async (request) => catalog.getVersion(principalOf(request), request.params.product, request.params.version));

  app.post('/products', {
    schema: {
      summary: 'Publish a product version (platform admin or owner team); 201 when new, 200 when identical',
      tags: ['products'], operationId: 'publishProduct',
      body: ProductManifest, response: { 200: PublishResult, 201: PublishResult, ...problemResponses },
    },
  }, async (request, reply) => {
    const published = await catalog.publish(principalOf(request), request.body);
    return reply.status(published.result === 'created' ? 201 : 200).send(published);
  });
};
