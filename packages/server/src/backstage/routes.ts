import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { problemResponses } from '../http/schemas.js';
import { BackstageExport, BackstageImportRequest, BackstageImportSummary, IMPORT_BODY_LIMIT } from './schemas.js';

/** Backstage interoperability: import catalog-info entities, export Paved's catalog as entities. */
export const backstageRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { backstage } = services;

  app.post('/backstage/import', {
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: {
      summary: 'Import Backstage Group, User, Component, System and Resource entities into teams, users and services (platform admin)',
      tags: ['backstage'], operationId: 'importBackstage',
      body: BackstageImportRequest, response: { 200: BackstageImportSummary, ...problemResponses },
    },
  }, async (request) => backstage.import(principalOf(request), request.body));

  app.get('/backstage/export', {
    schema: {
      summary: 'The services and instances you can see as Backstage entities (Group, Component, Resource)',
      tags: ['backstage'], operationId: 'exportBackstage',
      response: { 200: BackstageExport, ...problemResponses },
    },
  }, async (request) => backstage.export(principalOf(request)));
};
