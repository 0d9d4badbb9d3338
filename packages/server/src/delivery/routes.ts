import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '#typebox';
import type { WebhookSource } from '@paved/model';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { problemResponses } from '../http/schemas.js';
import {
  DeliveryParams, DeliveryRecorded, RecordChangeRequest, RecordDeploymentRequest, RecordIncidentRequest, SetWebhookSecretRequest,
  WebhookOutcome, WebhookSettings, WebhookSourceParams,
} from './schemas.js';

/** GitHub caps a delivery at 25 MB; a push of many commits can pass Paved's usual 1 MiB. */
export const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;

const WEBHOOKS: readonly { source: WebhookSource; operationId: string; summary: string; description: string }[] = [
  {
    source: 'github', operationId: 'githubWebhook', summary: 'An organisation webhook delivery from GitHub (authenticated by its signature, not a token)',
    description: 'Headers: X-GitHub-Event (push, pull_request, deployment_status, issues; deployment and ping are accepted and ignored), X-GitHub-Delivery (a redelivery is recorded once), X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the webhook secret). Body: the event payload as JSON (or form-encoded `payload`). 202 `queued`: authenticated, understood and durably stored, applied shortly after (a DORA metrics read waits for it). 401 when the signature does not match; see docs/metrics/dora.md.',
  },
  {
    source: 'gitlab', operationId: 'gitlabWebhook', summary: 'A group or project webhook delivery from GitLab (authenticated by its secret token, not a bearer token)',
    description: 'Headers: X-Gitlab-Token (the secret token), X-Gitlab-Event (Push, Merge Request, Deployment, Pipeline or Issue Hook), X-Gitlab-Event-UUID (a redelivery is recorded once). Pipelines are accepted and ignored: deployments come from Deployment Hooks. 401 when the token is wrong; see docs/metrics/dora.md.',
  },
];

/**
 * POST /api/v1/webhooks/{github,gitlab}: outside the bearer hook, like the driver callbacks. The
 * signature covers the raw bytes, so this plugin (and only it) takes every body as a Buffer and
 * leaves parsing to the delivery service, after authentication: an unsigned caller learns
 * nothing about what the payload should look like.
 */
export const webhookRoutes: FastifyPluginAsyncTypebox<{ services: Services; bodyLimit?: number }> = async (app, { services, bodyLimit = WEBHOOK_BODY_LIMIT }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request: FastifyRequest, body: Buffer | string, done) => done(null, body));
  for (const hook of WEBHOOKS) {
    app.post(`/webhooks/${hook.source}`, {
      bodyLimit,
      schema: {
        summary: hook.summary, description: hook.description, tags: ['webhooks'], operationId: hook.operationId, security: [],
        response: { 202: WebhookOutcome, ...problemResponses },
      },
    }, async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.from(typeof request.body === 'string' ? request.body : '');
      return reply.status(202).send(await services.delivery.receiveWebhook(hook.source, request.headers, raw));
    });
  }
};

/** Delivery events recorded through the API (behind the bearer hook), and the webhook secrets. */
export const deliveryRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { delivery } = services;
  const base = '/teams/:team/services/:service';

  app.post(`${base}/deployments`, {
    schema: {
      summary: "Record a deployment of a service (team owner or member; a CI token of the team)", tags: ['delivery'], operationId: 'recordDeployment',
      params: DeliveryParams, body: RecordDeploymentRequest, response: { 200: DeliveryRecorded, ...problemResponses },
    },
  }, async (request) => delivery.recordDeployment(principalOf(request), request.params.team, request.params.service, request.body));

  app.post(`${base}/changes`, {
    schema: {
      summary: 'Record a change (a merged pull request or any change) of a service', tags: ['delivery'], operationId: 'recordChange',
      params: DeliveryParams, body: RecordChangeRequest, response: { 200: DeliveryRecorded, ...problemResponses },
    },
  }, async (request) => delivery.recordChange(principalOf(request), request.params.team, request.params.service, request.body));

  app.post(`${base}/incidents`, {
    schema: {
      summary: 'Record an incident of a service (from a pager, say); record it again with resolvedAt when it is over', tags: ['delivery'], operationId: 'recordIncident',
      params: DeliveryParams, body: RecordIncidentRequest, response: { 200: DeliveryRecorded, ...problemResponses },
    },
  }, async (request) => delivery.recordIncident(principalOf(request), request.params.team, request.params.service, request.body));

  app.get('/admin/webhooks', {
    schema: {
      summary: "Where each webhook source's secret comes from (platform admins; never the secret)", tags: ['delivery'], operationId: 'listWebhookSettings',
      response: { 200: Type.Array(WebhookSettings), ...problemResponses },
    },
  }, async (request) => delivery.webhookSettings(principalOf(request)));

  app.put('/admin/webhooks/:source/secret', {
    schema: {
      summary: "Set or rotate a webhook source's secret (platform admins); the previous one stays valid for a grace period", tags: ['delivery'], operationId: 'setWebhookSecret',
      params: WebhookSourceParams, body: SetWebhookSecretRequest, response: { 200: WebhookSettings, ...problemResponses },
    },
  }, async (request) => delivery.setWebhookSecret(principalOf(request), request.params.source, request.body));
};
