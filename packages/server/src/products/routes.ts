import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { PageQuery, page, problemResponses } from '../http/schemas.js';
import {
  ProductDetail, ProductInstance, ProductManifest, ProductParams, ProductSummary, ProductVersion, ProductVersionParams, PublishResult, TransferProductRequest,
} from './schemas.js';

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
      summary: "Publish a product version (members of its owner platform team, platform admins); 201 when new, 200 when identical",
      tags: ['products'], operationId: 'publishProduct',
      body: ProductManifest, response: { 200: PublishResult, 201: PublishResult, ...problemResponses },
    },
  }, async (request, reply) => {
    const published = await catalog.publish(principalOf(request), request.body);
    return reply.status(published.result === 'created' ? 201 : 200).send(published);
  });

  app.put('/products/:product/owner', {
    schema: {
      summary: 'Move a product to another platform team (platform admins); its next version must name that team', tags: ['products'], operationId: 'transferProduct',
      params: ProductParams, body: TransferProductRequest, response: { 200: ProductDetail, ...problemResponses },
    },
  }, async (request) => catalog.transfer(principalOf(request), request.params.product, request.body.owner));

  app.get('/products/:product/instances', {
    schema: {
      summary: "The health of a product's instances across teams (its owner platform team, platform admins)", tags: ['products'], operationId: 'listProductInstances',
      params: ProductParams, querystring: PageQuery, response: { 200: page(ProductInstance), ...problemResponses },
    },
  }, async (request) => catalog.instances(principalOf(request), request.params.product, request.query));
};
