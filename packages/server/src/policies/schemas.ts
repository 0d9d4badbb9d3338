import { Type } from '#typebox';
import { AnyMap, Name, Timestamp } from '../http/schemas.js';

export const PolicyParams = Type.Object({ policy: Name });

const Action = Type.Union([Type.Literal('deny'), Type.Literal('warn'), Type.Literal('requireApproval')]);

/** Loose here on purpose: the policy checker names every problem, CEL ones with line and column. */
export const PolicyManifestBody = Type.Object({
  apiVersion: Type.String({ description: 'paved.dev/v1alpha1' }),
  kind: Type.Literal('Policy'),
  metadata: AnyMap,
  spec: AnyMap,
}, { title: 'PolicyManifest', description: 'A kind: Policy manifest (docs/policies.md)' });

export const PolicySummary = Type.Object({
  name: Type.String(),
  owner: Type.String(),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  version: Type.String({ description: 'The version in force: the highest applied' }),
  action: Action,
  versions: Type.Array(Type.String()),
  appliedBy: Type.String(),
  appliedAt: Timestamp,
}, { title: 'PolicySummary' });

export const PolicyDetail = Type.Intersect([PolicySummary, Type.Object({ manifest: Type.Unknown({ description: 'The manifest in force, as applied' }) })], { title: 'PolicyDetail' });

export const ApplyPolicyResult = Type.Object({
  policy: Type.Object({ name: Type.String(), version: Type.String() }),
  result: Type.Union([Type.Literal('created'), Type.Literal('unchanged')]),
}, { title: 'ApplyPolicyResult' });
