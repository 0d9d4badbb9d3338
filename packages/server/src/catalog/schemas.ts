import { Type } from '#typebox';
import { PolicyDecision, QuotaCheck } from '../instances/schemas.js';
import { AnyMap, Name, StringMap, Timestamp } from '../http/schemas.js';

const Lifecycle = Type.Union([Type.Literal('experimental'), Type.Literal('production'), Type.Literal('deprecated')]);

export const Service = Type.Object({
  id: Type.String(),
  teamId: Type.String(),
  teamName: Type.String(),
  name: Type.String(),
  description: Type.String(),
  repositoryUrl: Type.Optional(Type.String()),
  lifecycle: Lifecycle,
  system: Type.Optional(Type.String()),
  type: Type.Optional(Type.String({ description: 'Backstage component type (service, website, library…), when imported from Backstage' })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}, { title: 'Service' });

export const CreateServiceRequest = Type.Object({
  name: Name,
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  repositoryUrl: Type.Optional(Type.String({ maxLength: 1000 })),
  lifecycle: Type.Optional(Lifecycle),
  system: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });

export const UpdateServiceRequest = Type.Object({
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  repositoryUrl: Type.Optional(Type.String({ maxLength: 1000 })),
  lifecycle: Type.Optional(Lifecycle),
  system: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });

export const EnvironmentPolicies = Type.Object({
  allowedPlans: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()), { description: "Per product name (or '*'): the only plans allowed" })),
  deniedProducts: Type.Optional(Type.Array(Type.String())),
}, { additionalProperties: false });

export const Environment = Type.Object({
  name: Type.String(),
  description: Type.String(),
  targetSelector: StringMap,
  policies: EnvironmentPolicies,
  variables: StringMap,
  createdAt: Timestamp,
}, { title: 'Environment' });

export const CreateEnvironmentRequest = Type.Object({
  name: Name,
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  targetSelector: Type.Optional(StringMap),
  policies: Type.Optional(EnvironmentPolicies),
  variables: Type.Optional(StringMap),
}, { additionalProperties: false });

export const UpdateEnvironmentRequest = Type.Object({
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  targetSelector: Type.Optional(StringMap),
  policies: Type.Optional(EnvironmentPolicies),
  variables: Type.Optional(StringMap),
}, { additionalProperties: false });

export const WorkloadChange = Type.Object({
  action: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete'), Type.Literal('unchanged')]),
  resource: Type.String(),
  instance: Type.String(),
  product: Type.String(),
  plan: Type.String(),
  details: Type.Array(Type.String()),
  outcome: Type.Optional(Type.Union([Type.Literal('allowed'), Type.Literal('denied'), Type.Literal('awaitingApproval')], { description: 'What the policies and quotas make of a create or update' })),
  policies: Type.Optional(Type.Array(PolicyDecision, { description: 'Every policy decision about this change (docs/policies.md)' })),
  quotas: Type.Optional(Type.Array(QuotaCheck)),
});

export const WorkloadPlan = Type.Object({
  service: Type.String(),
  environment: Type.String(),
  team: Type.String(),
  changes: Type.Array(WorkloadChange),
  applied: Type.Boolean(),
  notes: Type.Optional(Type.Array(Type.String())),
}, { title: 'WorkloadPlan' });

export const ApplyWorkloadRequest = Type.Object({
  score: AnyMap,
  dryRun: Type.Optional(Type.Boolean({ description: 'Plan only: nothing is written' })),
}, { additionalProperties: false });

export const EnvironmentParams = Type.Object({ environment: Name });
export const ServiceParams = Type.Object({ team: Name, service: Name });
export const WorkloadParams = Type.Object({ team: Name, service: Name, environment: Name });

export const WorkloadConfig = Type.Object({
  service: Type.String(),
  environment: Type.String(),
  values: StringMap,
}, { title: 'WorkloadConfig' });

export const SetWorkloadConfigRequest = Type.Object({
  values: StringMap,
}, { additionalProperties: false });
