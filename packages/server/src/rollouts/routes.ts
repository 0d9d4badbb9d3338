import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { requestInterfaceOf } from '../http/request-context.js';
import { InstanceParams, PageQuery, page, problemResponses } from '../http/schemas.js';
import { HoldRequest, InstanceHold, ProductParams, Rollout, StartRolloutRequest, UpgradeRequest, UpgradeResult } from './schemas.js';

/**
 * Upgrades of one instance, holds, and fleet rollouts (docs/rollouts.md). A change answers
 * 202: the engine runs the driver's update and the contract checks in the background, and
 * advances a rollout wave by wave.
 */
export const rolloutRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { rollouts } = services;

  app.post('/teams/:team/instances/:instance/upgrade', {
    schema: {
      summary: 'Move an instance to another version of its product (team owner or member), with a preview of what changes',
      description: 'Default `to`: the latest version that is not a pre-release. An older version is refused unless `allowDowngrade`. '
        + 'With `dryRun` only the preview is answered (200). Otherwise 202: the engine runs the driver\'s update and the contract checks; '
        + 'the event `instance.upgraded` records from and to.',
      tags: ['rollouts'], operationId: 'upgradeInstance',
      params: InstanceParams, body: UpgradeRequest, response: { 200: UpgradeResult, 202: UpgradeResult, ...problemResponses },
    },
  }, async (request, reply) => {
    const { team, instance } = request.params;
    const result = await rollouts.upgrade(principalOf(request), team, instance, request.body, requestInterfaceOf(request));
    return reply.status(result.upgraded ? 202 : 200).send(result);
  });

  app.put('/teams/:team/instances/:instance/hold', {
    schema: {
      summary: 'Hold an instance on its version (team owner or member): rollouts skip it and report it', tags: ['rollouts'], operationId: 'holdInstance',
      params: InstanceParams, body: HoldRequest, response: { 200: InstanceHold, ...problemResponses },
    },
  }, async (request) => rollouts.hold(principalOf(request), request.params.team, request.params.instance, request.body.reason));

  app.delete('/teams/:team/instances/:instance/hold', {
    schema: {
      summary: 'Lift the hold on an instance (team owner or member); idempotent', tags: ['rollouts'], operationId: 'unholdInstance',
      params: InstanceParams, response: { 204: Type.Null({ description: 'Not held' }), ...problemResponses },
    },
  }, async (request, reply) => {
    await rollouts.unhold(principalOf(request), request.params.team, request.params.instance);
    return reply.status(204).send(null);
  });

  app.get('/rollouts', {
    schema: {
      summary: 'Rollouts of every product, newest first', tags: ['rollouts'], operationId: 'listRollouts',
      querystring: PageQuery, response: { 200: page(Rollout), ...problemResponses },
    },
  }, async (request) => rollouts.list(principalOf(request), request.query));

  app.post('/products/:product/rollouts', {
    schema: {
      summary: "Roll a version out to every instance of the product on an older one, in health-gated waves (the product's owner team or admin)",
      tags: ['rollouts'], operationId: 'startRollout',
      params: ProductParams, body: StartRolloutRequest, response: { 202: Rollout, ...problemResponses },
    },
  }, async (request, reply) => reply.status(202).send(await rollouts.start(principalOf(request), request.params.product, request.body)));

  app.get('/products/:product/rollout', {
    schema: {
      summary: "The product's newest rollout: its state, waves and instances", tags: ['rollouts'], operationId: 'getRollout',
      params: ProductParams, response: { 200: Rollout, ...problemResponses },
    },
  }, async (request) => rollouts.status(principalOf(request), request.params.product));

  app.post('/products/:product/rollout/pause', {
    schema: {
      summary: "Pause the product's rollout (the product's owner team or admin): no wave starts or soaks until it is resumed", tags: ['rollouts'], operationId: 'pauseRollout',
      params: ProductParams, response: { 200: Rollout, ...problemResponses },
    },
  }, async (request) => rollouts.pause(principalOf(request), request.params.product));

  app.post('/products/:product/rollout/resume', {
    schema: {
      summary: "Resume the product's paused rollout (the product's owner team or admin); a soaking wave soaks again in full", tags: ['rollouts'], operationId: 'resumeRollout',
      params: ProductParams, response: { 200: Rollout, ...problemResponses },
    },
  }, async (request) => rollouts.resume(principalOf(request), request.params.product));
};
