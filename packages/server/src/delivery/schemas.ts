import { Type } from '#typebox';
import { Name, Timestamp } from '../http/schemas.js';

const Id = Type.String({ minLength: 1, maxLength: 200, description: "Your id for it; your team recording the same id again replaces what it recorded (another team's id for the same repository is refused: 409 delivery_id_taken)" });
const Sha = Type.String({ minLength: 4, maxLength: 64, pattern: '^[0-9a-fA-F]+$' });
const Time = Type.String({ maxLength: 40, description: 'ISO 8601 date-time with a UTC offset, e.g. 2025-03-03T10:12:33+01:00' });

export const DeliveryParams = Type.Object({ team: Name, service: Name });
export const WebhookSourceParams = Type.Object({ source: Type.Union([Type.Literal('github'), Type.Literal('gitlab')]) });

export const WebhookOutcome = Type.Object({
  outcome: Type.Union([Type.Literal('queued'), Type.Literal('duplicate'), Type.Literal('ignored')], { description: 'queued: accepted and durably stored, applied shortly after (the DORA metrics wait for it); duplicate: a redelivery of one already accepted; ignored: not an event Paved uses' }),
  reason: Type.Optional(Type.String()),
}, { title: 'WebhookOutcome' });

export const RecordDeploymentRequest = Type.Object({
  id: Id,
  environment: Type.String({ minLength: 1, maxLength: 200, description: 'Counts as production when it matches the configured pattern (default (?i)prod)' }),
  status: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')], { description: 'Default success' })),
  startedAt: Type.Optional(Time),
  finishedAt: Time,
  commitSha: Type.Optional(Sha),
  ref: Type.Optional(Type.String({ minLength: 1, maxLength: 250 })),
}, { additionalProperties: false });

export const RecordChangeRequest = Type.Object({
  id: Id,
  title: Type.Optional(Type.String({ maxLength: 500 })),
  commitSha: Type.Optional(Sha),
  firstCommitAt: Type.Optional(Time),
  openedAt: Type.Optional(Time),
  mergedAt: Time,
  deployment: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The id of the deployment that shipped it' })),
}, { additionalProperties: false });

export const RecordIncidentRequest = Type.Object({
  id: Id,
  title: Type.Optional(Type.String({ maxLength: 500 })),
  createdAt: Time,
  resolvedAt: Type.Optional(Time),
}, { additionalProperties: false });

export const DeliveryRecorded = Type.Object({
  kind: Type.Union([Type.Literal('deployment'), Type.Literal('change'), Type.Literal('incident')]),
  id: Type.String(),
  team: Type.String(),
  service: Type.String(),
}, { title: 'DeliveryRecorded' });

export const WebhookSettings = Type.Object({
  source: Type.Union([Type.Literal('github'), Type.Literal('gitlab')]),
  origin: Type.Union([Type.Literal('runtime'), Type.Literal('environment'), Type.Literal('none')]),
  updatedAt: Type.Optional(Timestamp),
  previousValidUntil: Type.Optional(Timestamp),
}, { title: 'WebhookSettings' });

export const SetWebhookSecretRequest = Type.Object({
  secret: Type.String({ minLength: 16, maxLength: 256, description: 'At least 16 characters' }),
  previousValidForSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604800, description: 'How long the secret in force before stays valid; default 3600' })),
}, { additionalProperties: false });
