import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { problemResponses } from '../http/schemas.js';
import { Approval, ApprovalParams, ApprovalQuery, ApproveBody, DenyBody } from './schemas.js';

/** Requests held by requireApproval policies (docs/policies.md#approvals). */
export const approvalRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { approvals } = services;

  app.get('/approvals', {
    schema: {
      summary: "Approvals the caller's teams may decide or asked for (platform admins: all), oldest first", tags: ['approvals'], operationId: 'listApprovals',
      querystring: ApprovalQuery, response: { 200: Type.Object({ items: Type.Array(Approval) }), ...problemResponses },
    },
  }, async (request) => ({ items: await approvals.list(principalOf(request), request.query) }));

  app.get('/approvals/:approval', {
    schema: {
      summary: 'One approval', tags: ['approvals'], operationId: 'getApproval',
      params: ApprovalParams, response: { 200: Approval, ...problemResponses },
    },
  }, async (request) => approvals.get(principalOf(request), request.params.approval));

  app.post('/approvals/:approval/approve', {
    schema: {
      summary: 'Approve a waiting request (owners and members of the approving team, platform admins; not the requester): it is provisioned at once',
      tags: ['approvals'], operationId: 'approveRequest',
      params: ApprovalParams, body: ApproveBody, response: { 200: Approval, ...problemResponses },
    },
  }, async (request) => approvals.decide(principalOf(request), request.params.approval, { state: 'Approved', ...(request.body.reason ? { reason: request.body.reason } : {}) }));

  app.post('/approvals/:approval/deny', {
    schema: {
      summary: 'Deny a waiting request with a reason (same people as approve): the instance shows phase Denied and the reason',
      tags: ['approvals'], operationId: 'denyRequest',
      params: ApprovalParams, body: DenyBody, response: { 200: Approval, ...problemResponses },
    },
  }, async (request) => approvals.decide(principalOf(request), request.params.approval, { state: 'Denied', reason: request.body.reason }));
};
