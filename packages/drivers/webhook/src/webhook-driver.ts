import { preflightWith, silentLogger, type DeletionStep, type Driver, type DriverContext, type Logger } from '@paved/driver-api';
import { deliver } from './deliver.js';
import { deliveryBody, type Verb } from './delivery.js';
import { readApplyResult, readObservation } from './results.js';
import { callbackUrlFor, readTargetConfig } from './target-config.js';
import { preflight } from './preflight.js';
import { delegatedChecks } from './checks.js';
import { webhookCallbacks } from './callbacks.js';

export interface WebhookDriverOptions {
  logger?: Logger;
}

/**
 * Driver type 'webhook': the platform team's own automation does the provisioning; Paved
 * POSTs it signed requests (observe, create, update, delete) and the automation answers at
 * once (200) or later through a signed callback (202). The automation is the source of truth
 * for what exists, so the engine stays level-triggered: after a callback it simply observes
 * again. Protocol: README.md. Target config: `{ url, secret, timeout?, callbackBaseUrl? }`.
 */
export function createWebhookDriver(options: WebhookDriverOptions = {}): Driver {
  const logger = options.logger ?? silentLogger;

  /** One signed delivery; the signal is checked first, so a crash before it sends nothing. */
  const send = async (ctx: DriverContext, verb: Verb) => {
    const config = readTargetConfig(ctx.target);
    ctx.signal.throwIfAborted();
    const body = deliveryBody(verb, ctx.instance, ctx.secrets, callbackUrlFor(config, ctx.instance.id));
    const started = Date.now();
    const answer = await deliver(config, body, ctx.signal);
    logger.debug({ verb, deliveryId: body.deliveryId, instanceId: ctx.instance.id, status: answer.status, ms: Date.now() - started }, 'webhook delivered');
    return { body, answer };
  };

  const apply = async (ctx: DriverContext, verb: 'create' | 'update') => {
    const { body, answer } = await send(ctx, verb);
    return readApplyResult(body, answer);
  };

  // One rung: the automation removes everything of the instance (every credential, whatever
  // rotation it is at, then the resource). A 202 keeps the rung pending; the engine runs it
  // again, with the same delivery id, until the automation answers 200.
  const requestDelete: DeletionStep = {
    name: 'request-delete',
    async run(ctx) {
      const { body, answer } = await send(ctx, 'delete');
      readApplyResult(body, answer);
    },
  };

  return {
    type: 'webhook',
    secrets: Object.freeze({ password: { bytes: 24 } }),
    deletion: [requestDelete],
    checks: delegatedChecks(),
    callbacks: webhookCallbacks,
    preflight: (target) => preflightWith(target, readTargetConfig, preflight),
    async observe(ctx) {
      const { body, answer } = await send(ctx, 'observe');
      return readObservation(body, answer, Object.values(ctx.secrets));
    },
    create: (ctx) => apply(ctx, 'create'),
    update: (ctx) => apply(ctx, 'update'),
  };
}
