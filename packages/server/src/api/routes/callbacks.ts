import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Target } from '@paved/driver-api';
import { SIGNATURE_HEADER, verifySignature } from '@paved/driver-webhook';
import { NotFoundError, UnauthenticatedError } from '@paved/model';
import type { Store } from '@paved/store';
import { problemResponses } from '../schemas/index.js';

/**
 * POST /api/v1/callbacks/webhook/{instanceId}: a webhook automation says an asynchronous
 * request has ended (packages/drivers/webhook/README.md "Callbacks"). No bearer token: the
 * caller is authenticated only by the HMAC signature with the secret of the instance's target.
 *
 * The callback is a hint, never the truth: it records an event and makes the instance due now
 * (store.touch), and the engine's next pass observes through the automation as usual. So the
 * engine stays level-triggered, drivers stay store-free, and a lost or duplicated callback
 * costs only latency (the engine's backoff observes anyway).
 */

const CallbackParams = Type.Object({ instanceId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });
const CallbackBody = Type.Object({
  deliveryId: Type.String({ minLength: 1, maxLength: 64 }),
  verb: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete')]),
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
  outputs: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Ignored: Paved collects outputs by observing and updating' })),
  error: Type.Optional(Type.String({ maxLength: 4000, description: 'One line for people, when status is failed' })),
}, { title: 'WebhookCallback' });
const Accepted = Type.Object({ accepted: Type.Boolean() });

/** The automation's error text as kept in the event: one line, bounded. */
const ERROR_LENGTH = 500;

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact bytes of a callback body, which the signature covers. */
    rawBody?: string;
  }
}

export const callbackRoutes: FastifyPluginAsyncTypebox<{ store: Store; targets: Target[] }> = async (app, { store, targets }) => {
  // The signature covers the raw bytes, so this plugin (and only it) keeps them before parsing.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request: FastifyRequest, body: string | Buffer, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    request.rawBody = text;
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('invalid JSON'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }), undefined);
    }
  });

  app.post('/callbacks/webhook/:instanceId', {
    schema: {
      summary: 'A webhook automation reports the end of an asynchronous request (authenticated by its Paved-Signature, not a token)',
      tags: ['callbacks'], operationId: 'webhookCallback', security: [],
      params: CallbackParams, body: CallbackBody, response: { 202: Accepted, ...problemResponses },
    },
    // Authenticate before the body is validated: an unsigned caller learns nothing about the schema.
    preValidation: async (request) => {
      const { instanceId } = request.params as { instanceId: string };
      const instance = await store.getInstance(instanceId);
      if (!instance) throw new NotFoundError(`No instance ${instanceId}; it may have been deleted, so stop calling back for it`, { code: 'instance_not_found' });
      const target = targets.find((t) => t.name === instance.target && t.driver === 'webhook');
      const secret = target?.config.secret;
      if (typeof secret !== 'string' || secret === '') {
        throw new UnauthenticatedError('This instance is not provisioned by a webhook target, so no callback can be verified for it', { code: 'signature_invalid' });
      }
      const header = request.headers[SIGNATURE_HEADER];
      const check = verifySignature(typeof header === 'string' ? header : undefined, request.rawBody ?? '', secret);
      if (!check.ok) {
        throw new UnauthenticatedError(`The Paved-Signature header is ${check.reason === 'stale' ? 'older than 5 minutes (or from the future)' : check.reason}; sign "<t>.<raw body>" with the target's secret`, { code: 'signature_invalid' });
      }
    },
  }, async (request, reply) => {
    const { instanceId } = request.params;
    const { deliveryId, verb, status, error } = request.body;
    const instance = await store.getInstance(instanceId);
    if (!instance) throw new NotFoundError(`No instance ${instanceId}`, { code: 'instance_not_found' });
    // The same callback may arrive twice (the automation retries until it sees a 2xx): one event.
    const recent = await store.listEvents({ instanceId, kinds: ['instance.callback-received'], limit: 20 });
    const seen = recent.items.some((e) => e.data.deliveryId === deliveryId && e.data.status === status);
    if (!seen) {
      await store.appendEvent({
        kind: 'instance.callback-received',
        teamId: instance.teamId,
        instanceId,
        actor: `webhook:${instance.target}`,
        // Outputs stay out of events: they may hold secrets, and Paved reads them from the automation.
        data: { deliveryId, verb, status, ...(error ? { error: error.replace(/\s+/g, ' ').trim().slice(0, ERROR_LENGTH) } : {}) },
      });
    }
    await store.touch(instanceId);
    return reply.status(202).send({ accepted: true });
  });
};
