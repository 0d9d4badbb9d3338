import { InstanceDeprecation } from '../product-evolution/schemas.js';
import { Type, type Static } from '#typebox';
import type { Phase } from '@paved/model';
import { AnyMap, Name, PageQuery, Timestamp } from '../http/schemas.js';

/** The phases an instance goes through (InstanceStatus.phase), which a listing may keep one of. */
export const InstancePhase = Type.Union([
  Type.Literal('AwaitingApproval'), Type.Literal('Denied'),
  Type.Literal('Pending'), Type.Literal('Provisioning'), Type.Literal('Ready'), Type.Literal('Failed'), Type.Literal('Deleting'),
], {
  description: 'AwaitingApproval: a requireApproval policy holds the request (status.approval names who may approve); Denied: refused by an approver',
});

/** Does not compile when the model's phases and these differ. */
export type InstancePhaseMatchesModel = [Static<typeof InstancePhase>] extends [Phase] ? ([Phase] extends [Static<typeof InstancePhase>] ? true : never) : never;
const phasesMatch: InstancePhaseMatchesModel = true;
void phasesMatch;

/** A team's instances, a page at a time, optionally of one product and one phase only. */
export const InstanceListQuery = Type.Object({
  ...PageQuery.properties,
  product: Type.Optional(Name),
  phase: Type.Optional(InstancePhase),
}, { additionalProperties: false });


export const Condition = Type.Object({
  type: Type.String({ description: 'Ready | Synced | ContractChecks | Deleting' }),
  status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')]),
  reason: Type.String({ description: 'Stable CamelCase word for machines' }),
  message: Type.String({ description: 'One line for people: what is wrong and what to do' }),
  lastTransitionAt: Timestamp,
});

export const InstanceStatus = Type.Object({
  phase: InstancePhase,
  conditions: Type.Array(Condition),
  lastError: Type.Optional(Type.String()),
  readyAt: Type.Optional(Timestamp),
  checks: Type.Optional(Type.Array(Type.Object({
    name: Type.String(),
    passed: Type.Boolean(),
    message: Type.String({ description: 'One line; never a secret' }),
  }), { description: "Results of the last run of the product's contract checks, in order" })),
  approval: Type.Optional(Type.Object({
    id: Type.String(),
    state: Type.Union([Type.Literal('Waiting'), Type.Literal('Approved'), Type.Literal('Denied')]),
    approvers: Type.String({ description: 'The team whose owners and members may decide (never the requester)' }),
    policies: Type.Array(Type.String()),
    decidedBy: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
  }, { description: 'The approval the request waited for (docs/policies.md#approvals)' })),
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
  deprecation: Type.Optional(InstanceDeprecation),
  hold: Type.Optional(Type.Object({
    reason: Type.String(),
    heldBy: Type.String({ description: 'Who held it' }),
    heldAt: Timestamp,
  }, { description: 'Set while the instance is held on its version (paved hold): rollouts skip it' })),
  environment: Type.Optional(Type.String({ description: "The environment it serves: its workload's, or the one named when it was asked for" })),
}, { title: 'Instance' });

export const CreateInstanceRequest = Type.Object({
  name: Name,
  product: Type.String({ minLength: 1, maxLength: 40 }),
  plan: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: "Default: the product's default plan" })),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Default: the latest published version' })),
  inputs: Type.Optional(AnyMap),
  environment: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'The environment it serves (dev, prod…); policies judge by it' })),
  dryRun: Type.Optional(Type.Boolean({ description: 'Judge only: answer 200 with every policy decision and quota, create nothing' })),
}, { additionalProperties: false });

export const UpdateInstanceRequest = Type.Object({
  plan: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  inputs: Type.Optional(AnyMap),
  dryRun: Type.Optional(Type.Boolean({ description: 'Judge only: answer 200 with every policy decision and quota, change nothing' })),
}, { additionalProperties: false });

export const PolicyDecision = Type.Object({
  policy: Type.String(),
  version: Type.String(),
  action: Type.Union([Type.Literal('deny'), Type.Literal('warn'), Type.Literal('requireApproval')]),
  result: Type.Union([Type.Literal('passed'), Type.Literal('failed'), Type.Literal('skipped')], { description: 'skipped: the policy does not match this request' }),
  message: Type.Optional(Type.String({ description: 'For a failed policy: what would pass' })),
}, { title: 'PolicyDecision' });

export const QuotaCheck = Type.Object({
  product: Type.String(), plan: Type.String(),
  used: Type.Integer(), adding: Type.Integer({ description: 'How many this request adds (a composite: one per part of that product and plan)' }),
  max: Type.Integer(), passed: Type.Boolean(),
}, { title: 'QuotaCheck' });

export const RequestPreview = Type.Object({
  outcome: Type.Union([Type.Literal('allowed'), Type.Literal('denied'), Type.Literal('awaitingApproval')]),
  request: Type.Object({
    name: Type.String(), product: Type.String(), version: Type.String(), plan: Type.String(), environment: Type.Optional(Type.String()),
  }),
  decisions: Type.Array(PolicyDecision),
  quotas: Type.Array(QuotaCheck),
}, { title: 'RequestPreview', description: 'What the request would do (dryRun): nothing was written' });

export const Credentials = Type.Object({
  instance: Type.String(),
  team: Type.String(),
  values: Type.Record(Type.String(), Type.String(), { description: 'Every output, secret ones included' }),
});

export const CreateQuery = Type.Object({
  wait: Type.Optional(Type.Literal('ready', {
    description: 'Answer with the instance\'s status stream (text/event-stream, as the watch route\'s) instead of 202 JSON: the created instance as the first `status`, '
      + 'then every change, until the client closes it. A refused create is still the usual problem response. Not with `dryRun`.',
  })),
  reveal: Type.Optional(Type.Boolean({
    description: 'With `wait=ready`: as the watch route\'s `reveal=true`, a `credentials` event right before the first Ready `status`, audited as credentials:reveal.',
  })),
});

export const WatchQuery = Type.Object({
  reveal: Type.Optional(Type.Boolean({
    description: 'Reveal the credentials on the stream once Ready: a `credentials` event (data: as from credentials:reveal) right before the first Ready `status`. '
      + 'Needs what the reveal route needs, and is audited as it is (a `revealCredentials` record, a `credentials.revealed` event).',
  })),
}, { additionalProperties: false });

export const PavedEvent = Type.Object({
  id: Type.String(),
  at: Timestamp,
  kind: Type.String(),
  teamId: Type.Optional(Type.String()),
  instanceId: Type.Optional(Type.String()),
  actor: Type.Optional(Type.String()),
  data: AnyMap,
}, { title: 'PavedEvent' });

