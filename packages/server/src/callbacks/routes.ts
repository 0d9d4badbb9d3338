import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import type { Driver, Target } from '@paved/driver-api';
import { NotFoundError, UnauthenticatedError } from '@paved/model';
import type { Store } from '@paved/store';
import { useGuardedJsonParser } from '../http/input-guards.js';
import { problemResponses } from '../http/schemas.js';

/**
 * POST /api/v1/callbacks/{driver}/{instanceId}: a driver's automation says an asynchronous
 * request has ended (the webhook driver's, packages/drivers/webhook/README.md "Callbacks"). No
 * bearer token: the instance's driver authenticates the call (`Driver.callbacks`, for the
 * webhook driver an HMAC signature with the secret of the instance's target). This route knows
 * no signing scheme and no concrete driver.
 *
 * The callback is a hint, never the truth: it records an event and makes the instance due now
 * (store.touch), and the engine's next pass observes through the automation as usual. So the
 * engine stays level-triggered, drivers stay store-free, and a lost or duplicated callback
 * costs only latency (the engine's backoff observes anyway).
 */

const CallbackParams = Type.Object({
  driver: Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9-]+$' }),
  instanceId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }),
});
const CallbackBody = Type.Object({
  instanceId: Type.String({ minLength: 1, maxLength: 64, description: 'The instance the callback is for, the same as in the URL: the signature covers it, so a callback cannot be replayed to another instance' }),
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

export interface CallbackOptions {
  store: Store;
  targets: readonly Target[];
  drivers: Readonly<Record<string, Driver>>;
}

export const callbackRoutes: FastifyPluginAsyncTypebox<CallbackOptions> = async (app, { store, targets, drivers }) => {
  // The signature covers the raw bytes, so this plugin (and only it) keeps them before parsing.
  useGuardedJsonParser(app, (request, text) => {
    request.rawBody = text;
  });

  app.post('/callbacks/:driver/:instanceId', {
    schema: {
      summary: "A driver's automation reports the end of an asynchronous request (authenticated by the driver's signature, not a token)",
      tags: ['callbacks'], operationId: 'driverCallback', security: [],
      params: CallbackParams, body: CallbackBody, response: { 202: Accepted, ...problemResponses },
    },
    // Authenticate before the body is validated: an unsigned caller learns nothing about the schema.
    preValidation: async (request) => {
      const { driver: driverType, instanceId } = request.params as { driver: string; instanceId: string };
      const instance = await store.getInstance(instanceId);
      if (!instance) throw new NotFoundError(`No instance ${instanceId}; it may have been deleted, so stop calling back for it`, { code: 'instance_not_found' });
      const target = targets.find((t) => t.name === instance.target && t.driver === driverType);
      const verifier = target === undefined ? undefined : drivers[target.driver]?.callbacks;
      if (target === undefined || verifier === undefined) {
        throw new UnauthenticatedError(`This instance is not provisioned by a ${driverType} target that calls back, so no callback can be verified for it`, { code: 'signature_invalid' });
      }
      const verdict = verifier.verify({ target, instanceId, headers: request.headers, rawBody: request.rawBody ?? '' });
      if (!verdict.ok) throw new UnauthenticatedError(`The callback is not authentic: ${verdict.reason}`, { code: 'signature_invalid' });
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
        actor: `${request.params.driver}:${instance.target}`,
        // Outputs stay out of events: they may hold secrets, and Paved reads them from the automation.
        data: { deliveryId, verb, status, ...(error ? { error: error.replace(/\s+/g, ' ').trim().slice(0, ERROR_LENGTH) } : {}) },
      });
    }
    await store.touch(instanceId);
    return reply.status(202).send({ accepted: true });
  });
};
