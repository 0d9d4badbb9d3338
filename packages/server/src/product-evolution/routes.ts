import { Type } from '#typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { problemResponses } from '../http/schemas.js';
import {
  ChangelogEntry, DeprecateRequest, Deprecation, DiffQuery, List, ProductParams, ProductRequest, ProductRequestInput, ProductRequestParams, ProductVersionParams,
  RoadmapItem, RoadmapItemChange, RoadmapItemParams, RoadmapItemRequest, VersionDiff,
} from './schemas.js';

const tags = ['products'];
const owners = 'its owner platform team, platform admins';

/** A product over time: diff, changelog, deprecations, roadmap, requests and votes (docs/product-versions.md). */
export const productEvolutionRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { productEvolution: evolution } = services;

  app.get('/products/:product/diff', {
    schema: {
      summary: 'Compare two versions of a product: breaking and non-breaking changes', tags, operationId: 'diffProductVersions',
      params: ProductParams, querystring: DiffQuery, response: { 200: VersionDiff, ...problemResponses },
    },
  }, async (request) => evolution.diff(principalOf(request), request.params.product, request.query.from, request.query.to));

  app.get('/products/:product/changelog', {
    schema: {
      summary: "A product's changelog: each version's spec.changelog, newest first", tags, operationId: 'getProductChangelog',
      params: ProductParams, response: { 200: List(ChangelogEntry), ...problemResponses },
    },
  }, async (request) => ({ items: await evolution.changelog(principalOf(request), request.params.product) }));

  app.get('/products/:product/deprecations', {
    schema: {
      summary: "A product's deprecations: of the whole product and of versions", tags, operationId: 'listProductDeprecations',
      params: ProductParams, response: { 200: List(Deprecation), ...problemResponses },
    },
  }, async (request) => ({ items: await evolution.listDeprecations(principalOf(request), request.params.product) }));

  app.put('/products/:product/deprecation', {
    schema: {
      summary: `Deprecate the whole product with a date and a reason (${owners})`, tags, operationId: 'deprecateProduct',
      params: ProductParams, body: DeprecateRequest, response: { 200: Deprecation, ...problemResponses },
    },
  }, async (request) => evolution.deprecate(principalOf(request), request.params.product, undefined, request.body));

  app.delete('/products/:product/deprecation', {
    schema: {
      summary: `Withdraw the whole product's deprecation (${owners})`, tags, operationId: 'undeprecateProduct',
      params: ProductParams, response: { 204: Type.Null({ description: 'Withdrawn' }), ...problemResponses },
    },
  }, async (request, reply) => {
    await evolution.undeprecate(principalOf(request), request.params.product, undefined);
    return reply.code(204).send(null);
  });

  app.put('/products/:product/versions/:version/deprecation', {
    schema: {
      summary: `Deprecate one version with a date and a reason (${owners})`, tags, operationId: 'deprecateProductVersion',
      params: ProductVersionParams, body: DeprecateRequest, response: { 200: Deprecation, ...problemResponses },
    },
  }, async (request) => evolution.deprecate(principalOf(request), request.params.product, request.params.version, request.body));

  app.delete('/products/:product/versions/:version/deprecation', {
    schema: {
      summary: `Withdraw a version's deprecation (${owners})`, tags, operationId: 'undeprecateProductVersion',
      params: ProductVersionParams, response: { 204: Type.Null({ description: 'Withdrawn' }), ...problemResponses },
    },
  }, async (request, reply) => {
    await evolution.undeprecate(principalOf(request), request.params.product, request.params.version);
    return reply.code(204).send(null);
  });

  app.get('/products/:product/roadmap', {
    schema: {
      summary: "A product's roadmap, in the order its owner added the items", tags, operationId: 'getProductRoadmap',
      params: ProductParams, response: { 200: List(RoadmapItem), ...problemResponses },
    },
  }, async (request) => ({ items: await evolution.roadmap(principalOf(request), request.params.product) }));

  app.post('/products/:product/roadmap', {
    schema: {
      summary: `Add a roadmap item (${owners})`, tags, operationId: 'addRoadmapItem',
      params: ProductParams, body: RoadmapItemRequest, response: { 201: RoadmapItem, ...problemResponses },
    },
  }, async (request, reply) => reply.code(201).send(await evolution.addRoadmapItem(principalOf(request), request.params.product, request.body)));

  app.patch('/products/:product/roadmap/:item', {
    schema: {
      summary: `Change a roadmap item: title, status, target version (${owners})`, tags, operationId: 'changeRoadmapItem',
      params: RoadmapItemParams, body: RoadmapItemChange, response: { 200: RoadmapItem, ...problemResponses },
    },
  }, async (request) => evolution.changeRoadmapItem(principalOf(request), request.params.product, request.params.item, request.body));

  app.delete('/products/:product/roadmap/:item', {
    schema: {
      summary: `Remove a roadmap item (${owners})`, tags, operationId: 'removeRoadmapItem',
      params: RoadmapItemParams, response: { 204: Type.Null({ description: 'Removed' }), ...problemResponses },
    },
  }, async (request, reply) => {
    await evolution.removeRoadmapItem(principalOf(request), request.params.product, request.params.item);
    return reply.code(204).send(null);
  });

  app.get('/products/:product/requests', {
    schema: {
      summary: "What a product's users asked for, most votes first", tags, operationId: 'listProductRequests',
      params: ProductParams, response: { 200: List(ProductRequest), ...problemResponses },
    },
  }, async (request) => ({ items: await evolution.requests(principalOf(request), request.params.product) }));

  app.post('/products/:product/requests', {
    schema: {
      summary: 'Ask for something in a product (members and owners of any team, platform admins; a personal token)', tags, operationId: 'addProductRequest',
      params: ProductParams, body: ProductRequestInput, response: { 201: ProductRequest, ...problemResponses },
    },
  }, async (request, reply) => reply.code(201).send(await evolution.addRequest(principalOf(request), request.params.product, request.body.text)));

  app.post('/products/:product/requests/:request/votes', {
    schema: {
      summary: 'Vote for a request, once per person (members and owners of any team, platform admins; a personal token)', tags, operationId: 'voteProductRequest',
      params: ProductRequestParams, response: { 201: ProductRequest, ...problemResponses },
    },
  }, async (request, reply) => reply.code(201).send(await evolution.vote(principalOf(request), request.params.product, request.params.request)));
};
