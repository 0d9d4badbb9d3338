import { Type } from '#typebox';
import { Name, Timestamp } from '../http/schemas.js';
import { PolicyDecision } from '../instances/schemas.js';

const Version = Type.String({ minLength: 5, maxLength: 64, pattern: '^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$', examples: ['1.2.0'] });

export const ProductParams = Type.Object({ product: Name });

export const UpgradeRequest = Type.Object({
  to: Type.Optional(Version),
  dryRun: Type.Optional(Type.Boolean({ description: 'Only preview; change nothing' })),
  allowDowngrade: Type.Optional(Type.Boolean({ description: 'Allow moving to an older version' })),
}, { additionalProperties: false });

export const UpgradeChange = Type.Object({
  area: Type.Union([Type.Literal('inputs'), Type.Literal('outputs'), Type.Literal('plans'), Type.Literal('driver')]),
  path: Type.String(),
  change: Type.Union([Type.Literal('added'), Type.Literal('removed'), Type.Literal('changed')]),
  message: Type.String(),
});

export const UpgradeResult = Type.Object({
  preview: Type.Object({
    team: Type.String(), instance: Type.String(), product: Type.String(), from: Type.String(), to: Type.String(), plan: Type.String(),
    changes: Type.Array(UpgradeChange),
    blocked: Type.Optional(Type.String({ description: 'Why the instance cannot move as it is (its plan or inputs, or the policies that refuse the move)' })),
    decisions: Type.Optional(Type.Array(PolicyDecision, { description: 'What each policy in force decided about the move, judged as an update' })),
  }),
  upgraded: Type.Boolean({ description: 'False on a dry run, or when the instance already runs that version' }),
});

export const HoldRequest = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why the instance must stay on its version' }),
}, { additionalProperties: false });

export const InstanceHold = Type.Object({
  instanceId: Type.String(), reason: Type.String(), heldBy: Type.String(), heldAt: Timestamp,
});

export const StartRolloutRequest = Type.Object({
  to: Version,
  canaryPercent: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Share of the instances in the canary wave, in percent. Default 10' })),
  batchGrowth: Type.Optional(Type.Number({ minimum: 1, maximum: 100, description: 'Each later wave is this many times the one before. Default 2' })),
  soakSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 24 * 3600, description: 'How long each wave must stay healthy. Default 30' })),
  readyTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 3600, description: 'How long an upgraded instance may take to be Ready. Default 600' })),
}, { additionalProperties: false });

const TargetState = Type.Union([
  Type.Literal('pending'), Type.Literal('upgrading'), Type.Literal('upgraded'), Type.Literal('failed'), Type.Literal('rolling-back'), Type.Literal('rolled-back'),
  Type.Literal('rollback-failed'), Type.Literal('rollback-unsupported'), Type.Literal('held'), Type.Literal('skipped'), Type.Literal('current'),
]);

export const Rollout = Type.Object({
  id: Type.String(),
  product: Type.String(),
  toVersion: Type.String(),
  state: Type.Union([Type.Literal('Running'), Type.Literal('Paused'), Type.Literal('RollingBack'), Type.Literal('Halted'), Type.Literal('Completed')]),
  settings: Type.Object({ canaryPercent: Type.Number(), batchGrowth: Type.Number(), soakMs: Type.Integer(), readyTimeoutMs: Type.Integer() }),
  wave: Type.Integer({ description: 'The wave being applied or soaked; 0 is the canary' }),
  waves: Type.Integer(),
  stage: Type.Union([Type.Literal('applying'), Type.Literal('soaking')]),
  soakStartedAt: Type.Optional(Timestamp),
  message: Type.String({ description: 'Why it halted, paused or completed' }),
  createdBy: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  targets: Type.Array(Type.Object({
    instanceId: Type.String(), team: Type.String(), instance: Type.String(), fromVersion: Type.String(), wave: Type.Integer(), state: TargetState, message: Type.String(),
  }), { description: 'The instances it covers (only those of teams the caller may read, unless the caller owns the product)' }),
});
