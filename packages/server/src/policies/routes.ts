import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { problemResponses } from '../http/schemas.js';
import { ApplyPolicyResult, PolicyDetail, PolicyManifestBody, PolicyParams, PolicySummary } from './schemas.js';

/** Guardrails as policy (docs/policies.md). */
export const policyRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { policies } = services;

  app.get('/policies', {
    schema: {
      summary: 'Every policy, at the version in force', tags: ['policies'], operationId: 'listPolicies',
      response: { 200: Type.Object({ items: Type.Array(PolicySummary) }), ...problemResponses },
    },
  }, async (request) => ({ items: await policies.list(principalOf(request)) }));

  app.get('/policies/:policy', {
    schema: {
      summary: 'One policy: the manifest in force and its versions', tags: ['policies'], operationId: 'getPolicy',
      params: PolicyParams, response: { 200: PolicyDetail, ...problemResponses },
    },
  }, async (request) => policies.get(principalOf(request), request.params.policy));

  app.post('/policies', {
    schema: {
      summary: 'Apply a policy version (members of its owner platform team, platform admins); 201 when new, 200 when identical',
      description: 'A policy whose CEL does not parse or type-check is refused (400 policy_invalid) naming the expression, line and column.',
      tags: ['policies'], operationId: 'applyPolicy',
      body: PolicyManifestBody, response: { 200: ApplyPolicyResult, 201: ApplyPolicyResult, ...problemResponses },
    },
  }, async (request, reply) => {
    const applied = await policies.apply(principalOf(request), request.body);
    return reply.status(applied.result === 'created' ? 201 : 200).send(applied);
  });
};
