export type * from './types.js';
export { FAILPOINTS, type Failpoint } from './failpoints.js';
export { createEngine, ENGINE_DEFAULTS } from './engine.js';
export { planReconcile, type DriftMode, type PlanInput, type PlannedAction, type PlanReason, type ReconcilePlan } from './plan.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export {
  contractChecksCondition,
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
export { splitOutputs, generatedSecretsName, CREDENTIALS, GENERATED_SECRETS } from './outputs.js';
export { runContractChecks, DEFAULT_CHECK_TIMEOUT_MS, type ChecksOutcome } from './contract-checks.js';
export { gracePeriodMs, parseDuration, DEFAULT_GRACE_PERIOD_MS } from './grace-period.js';
