import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { InstanceParams, Timestamp, problemResponses } from '../http/schemas.js';
import { PolicyDecision } from '../instances/schemas.js';

const HistoryEntry = Type.Object({
  at: Timestamp,
  event: Type.String(),
  actor: Type.Optional(Type.String()),
  interface: Type.Optional(Type.String({ description: 'cli, api, portal or score' })),
  version: Type.Optional(Type.String()),
  plan: Type.Optional(Type.String()),
  policies: Type.Optional(Type.Array(PolicyDecision)),
  approvers: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  outcome: Type.Optional(Type.String({ description: "A reconcile's result" })),
});

const InstanceHistory = Type.Object({
  team: Type.String(),
  instance: Type.String(),
  product: Type.String(),
  entries: Type.Array(HistoryEntry),
}, { title: 'InstanceHistory' });

/** Provenance of an instance (docs/policies.md#provenance). */
export const historyRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/teams/:team/instances/:instance/history', {
    schema: {
      summary: "An instance's history: who asked for each change, through which interface, on which version, what the policies decided, who approved, each reconcile's outcome",
      tags: ['instances'], operationId: 'getInstanceHistory',
      params: InstanceParams, response: { 200: InstanceHistory, ...problemResponses },
    },
  }, async (request) => services.history.history(principalOf(request), request.params.team, request.params.instance));
};
