import { Type } from '#typebox';
import { Name, Timestamp } from '../http/schemas.js';

const Hash = Type.String({ description: 'SHA-256, hex' });

export const AuditRecord = Type.Object({
  seq: Type.Integer({ description: 'Place in the chain, from 1' }),
  at: Timestamp,
  stage: Type.Union([Type.Literal('received'), Type.Literal('completed'), Type.Literal('recorded')], {
    description: 'received: a request about to be served; completed: its outcome; recorded: an explicit record (token.issue, token.revoke, signin)',
  }),
  requestId: Type.Optional(Type.String({ description: 'Ties the records of one request together' })),
  actor: Type.String({ description: 'A user, `paved` for the platform itself, `anonymous` without a valid token' }),
  tokenId: Type.Optional(Type.String({ description: 'The id of the API token used (never the token)' })),
  action: Type.String({ description: "The route's operationId, or a domain verb (token.issue, token.revoke, signin)" }),
  team: Type.Optional(Type.String()),
  target: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'What was acted on: team, instance, user, product, token…' })),
  outcome: Type.Optional(Type.Object({
    result: Type.Union([Type.Literal('allowed'), Type.Literal('refused'), Type.Literal('failed')]),
    status: Type.Integer(),
    code: Type.Optional(Type.String({ description: "The problem's code (docs/errors.md)" })),
  })),
  source: Type.Optional(Type.Object({
    address: Type.String({ description: 'Client address (PAVED_TRUST_PROXY decides whether X-Forwarded-For counts)' }),
    userAgent: Type.Optional(Type.String()),
    interface: Type.Union([Type.Literal('cli'), Type.Literal('portal'), Type.Literal('api')], { description: 'As the Paved-Client header claims' }),
  })),
  summary: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'A few request fields that are safe to keep; never a secret' })),
  prevHash: Hash,
  hash: Hash,
  keyId: Type.String(),
  signature: Type.String({ description: 'Ed25519 over "paved-audit/1 record <hash>", base64url' }),
}, { title: 'AuditRecord', description: 'One record of the audit chain (docs/audit.md)' });

export const AuditListQuery = Type.Object({
  since: Type.Optional(Type.String({ maxLength: 64, description: 'Records at or after: an ISO 8601 time, or a duration back from now (30m, 2h, 7d)' })),
  until: Type.Optional(Type.String({ maxLength: 64, description: 'Records before: an ISO 8601 time, or a duration back from now' })),
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  team: Type.Optional(Name),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Default 50' })),
}, { additionalProperties: false });

export const AuditExportQuery = Type.Object({
  team: Type.Optional(Name),
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'Only records after this seq (an incremental export)' })),
}, { additionalProperties: false });

export const AuditKey = Type.Object({
  id: Type.String(),
  algorithm: Type.Literal('ed25519'),
  publicKey: Type.String({ description: 'The raw 32-byte Ed25519 public key, base64url' }),
}, { title: 'AuditKey' });

export const auditExportResponse = {
  description: 'JSON lines: a header, the stored checkpoints, the records oldest first, and a checkpoint of the last record signed now (docs/audit.md "Export format")',
  content: { 'application/x-ndjson': { schema: { type: 'string' } } },
} as const;
