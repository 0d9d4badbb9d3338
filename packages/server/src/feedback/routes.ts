import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { InstanceParams, PageQuery, page, problemResponses } from '../http/schemas.js';
import { FeedbackQuery, FeedbackReceipt, FeedbackRequest, HelpReceipt, HelpRequest, HelpRequestInput, ProductFeedback, ProductParams } from './schemas.js';

/** Feedback on products and help requests about instances. */
export const feedbackRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { feedback } = services;

  app.post('/products/:product/feedback', {
    schema: {
      summary: 'Score a product from 1 to 5, with an optional comment (anyone signed in, with a personal token)', tags: ['feedback'], operationId: 'giveFeedback',
      params: ProductParams, body: FeedbackRequest, response: { 201: FeedbackReceipt, ...problemResponses },
    },
  }, async (request, reply) => reply.code(201).send(await feedback.give(principalOf(request), request.params.product, request.body)));

  app.get('/products/:product/feedback', {
    schema: {
      summary: "A product's satisfaction per week and its comments (its owner platform team, platform admins)", tags: ['feedback'], operationId: 'getProductFeedback',
      params: ProductParams, querystring: FeedbackQuery, response: { 200: ProductFeedback, ...problemResponses },
    },
  }, async (request) => feedback.read(principalOf(request), request.params.product, request.query));

  app.post('/teams/:team/instances/:instance/help', {
    schema: {
      summary: "Ask the product's owner team for help with an instance (team owner or member); counts as an intervention", tags: ['feedback'], operationId: 'requestHelp',
      params: InstanceParams, body: HelpRequestInput, response: { 201: HelpReceipt, ...problemResponses },
    },
  }, async (request, reply) => reply.code(201).send(await feedback.askForHelp(principalOf(request), request.params.team, request.params.instance, request.body)));

  app.get('/products/:product/help-requests', {
    schema: {
      summary: "A product's help requests, newest first (its owner platform team, platform admins)", tags: ['feedback'], operationId: 'listHelpRequests',
      params: ProductParams, querystring: PageQuery, response: { 200: page(HelpRequest), ...problemResponses },
    },
  }, async (request) => feedback.helpRequests(principalOf(request), request.params.product, request.query));
};
