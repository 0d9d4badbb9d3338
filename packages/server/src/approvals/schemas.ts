import { Type } from '#typebox';
import { Timestamp } from '../http/schemas.js';
import { PolicyDecision } from '../instances/schemas.js';

export const ApprovalParams = Type.Object({ approval: Type.String({ pattern: '^[0-9a-f-]{36}$', description: 'The approval id (paved approvals list)' }) });

export const ApprovalQuery = Type.Object({
  state: Type.Optional(Type.Union([Type.Literal('Waiting'), Type.Literal('Approved'), Type.Literal('Denied')], { description: 'Default: every state' })),
}, { additionalProperties: false });

export const ApproveBody = Type.Object({
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
}, { additionalProperties: false });

export const DenyBody = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 500, description: 'Told to the requester: what they could ask for instead' }),
}, { additionalProperties: false });

export const Approval = Type.Object({
  id: Type.String(),
  team: Type.String({ description: 'The team that asked' }),
  instance: Type.String(),
  instanceId: Type.String(),
  approvers: Type.String({ description: 'The team whose owners and members may decide' }),
  decisions: Type.Array(PolicyDecision),
  requestedBy: Type.String(),
  requestedAt: Timestamp,
  state: Type.Union([Type.Literal('Waiting'), Type.Literal('Approved'), Type.Literal('Denied')]),
  decidedBy: Type.Optional(Type.String()),
  decidedAt: Type.Optional(Timestamp),
  reason: Type.Optional(Type.String()),
}, { title: 'Approval' });
