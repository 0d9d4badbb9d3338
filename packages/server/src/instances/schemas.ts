import { Type } from 'typebox';
import { AnyMap, Name, PageQuery, Timestamp } from '../http/schemas.js';

/** A team's instances, a page at a time, optionally of one product only. */
export const InstanceListQuery = Type.Object({
  ...PageQuery.properties,
  product: Type.Optional(Name),
}, { additionalProperties: false });


export const Condition = Type.Object({
  type: Type.String({ description: 'Ready | Synced | ContractChecks | Deleting' }),
  status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')]),
  reason: Type.String({ description: 'Stable CamelCase word for machines' }),
  message: Type.String({ description: 'One line for people: what is wrong and what to do' }),
  lastTransitionAt: Timestamp,
});

export const InstanceStatus = Type.Object({
  phase: Type.Union([Type.Literal('Pending'), Type.Literal('Provisioning'), Type.Literal('Ready'), Type.Literal('Failed'), Type.Literal('Deleting')]),
  conditions: Type.Array(Condition),
  lastError: Type.Optional(Type.String()),
  readyAt: Type.Optional(Timestamp),
  checks: Type.Optional(Type.Array(Type.Object({
    name: Type.String(),
    passed: Type.Boolean(),
    message: Type.String({ description: 'One line; never a secret' }),
  }), { description: "Results of the last run of the product's contract checks, in order" })),
});

export const InstanceCredentials = Type.Object({
  rotation: Type.Integer({ minimum: 0, description: 'The current credential: 0 until the first rotation' }),
  rotating: Type.Boolean({ description: 'A rotation was asked for and the new credential is not issued yet' }),
  previousRevokeAt: Type.Optional(Timestamp),
}, { description: 'Credential rotation state (paved rotate)' });

export const Instance = Type.Object({
  id: Type.String(),
  teamId: Type.String(),
  teamName: Type.String(),
  name: Type.String(),
  product: Type.String(),
  productVersion: Type.String(),
  plan: Type.String(),
  inputs: AnyMap,
  externalName: Type.String({ description: 'Deterministic name of the resource on its target' }),
  target: Type.String(),
  generation: Type.Integer(),
  observedGeneration: Type.Integer(),
  deletionRequested: Type.Boolean(),
  status: InstanceStatus,
  outputs: Type.Record(Type.String(), Type.String(), { description: 'Non-secret outputs; reveal credentials for the secret ones' }),
  createdBy: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  credentials: InstanceCredentials,
  workload: Type.Optional(Type.Object({
    service: Type.String(),
    environment: Type.String(),
    resource: Type.String({ description: 'The Score resource name, or the shared id' }),
    shared: Type.Boolean(),
  }, { description: 'Set when a Score workload asked for the instance' })),
  parent: Type.Optional(Type.Object({
    id: Type.String(),
    name: Type.String(),
    part: Type.String({ description: "Which of the composite product's spec.includes this part is" }),
  }, { description: 'Set on a part of a composite instance: it is managed through its parent' })),
  parts: Type.Optional(Type.Array(Type.Object({
    part: Type.String(),
    name: Type.String(),
    product: Type.String(),
    productVersion: Type.String(),
    plan: Type.String(),
    phase: Type.String(),
  }), { description: "A composite instance's parts (when one instance is read)" })),
}, { title: 'Instance' });

export const CreateInstanceRequest = Type.Object({
  name: Name,
  product: Type.String({ minLength: 1, maxLength: 40 }),
  plan: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: "Default: the product's default plan" })),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Default: the latest published version' })),
  inputs: Type.Optional(AnyMap),
}, { additionalProperties: false });

export const UpdateInstanceRequest = Type.Object({
  plan: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  inputs: Type.Optional(AnyMap),
}, { additionalProperties: false });

export const Credentials = Type.Object({
  instance: Type.String(),
  team: Type.String(),
  values: Type.Record(Type.String(), Type.String(), { description: 'Every output, secret ones included' }),
});

export const PavedEvent = Type.Object({
  id: Type.String(),
  at: Timestamp,
  kind: Type.String(),
  teamId: Type.Optional(Type.String()),
  instanceId: Type.Optional(Type.String()),
  actor: Type.Optional(Type.String()),
  data: AnyMap,
}, { title: 'PavedEvent' });

