import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import type { Services } from '../services.js';
import { problemResponses } from '../http/schemas.js';
import { TemplateDetail, TemplateParams, TemplateSummary } from './schemas.js';

/** Golden-path templates: read by any signed-in user, rendered by `paved init`. */
export const templateRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { templates } = services;
  app.get('/templates', {
    schema: {
      summary: 'Every golden-path template that loads (broken ones are logged and left out)', tags: ['templates'], operationId: 'listTemplates',
      response: { 200: Type.Array(TemplateSummary), ...problemResponses },
    },
  }, async () => templates.list());

  app.get('/templates/:template', {
    schema: {
      summary: 'A template with its parameters and its files, unrendered', tags: ['templates'], operationId: 'getTemplate',
      params: TemplateParams, response: { 200: TemplateDetail, ...problemResponses },
    },
  }, async (request) => templates.get(request.params.template));
};
