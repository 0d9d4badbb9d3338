export type * from './types.js';
export { createEngine, ENGINE_DEFAULTS } from './engine.js';
export { planReconcile, type DriftMode, type PlanInput, type PlannedAction, type PlanReason, type ReconcilePlan } from './plan.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export {
  deletingCondition,
  findCondition,
  hasCondition,
  mergeConditions,
  nextStatus,
  readyCondition,
  sameStatus,
  syncedCondition,
  type ConditionSpec,
  type StatusSpec,
} from './conditions.js';
export { errorChain, isRetryable, MAX_ATTEMPTS } from './failure.js';
export { splitOutputs, CREDENTIALS, GENERATED_SECRETS } from './outputs.js';
