export type * from './types.js';
export { FAILPOINTS, type Failpoint } from './failpoints.js';
export { createEngine, ENGINE_DEFAULTS } from './engine.js';
export { systemClock } from './clock.js';
export {
  planReconcile,
  type CompositeStep,
  type DriftMode,
  type DriverStep,
  type PlanInput,
  type PlannedStep,
  type PlanReason,
  type ReconcilePlan,
} from './plan.js';
export { planInputFor, planInstance, type PlanSources } from './plan-sources.js';
export { includesToResolve, planComposite, type CompositePlanInput, type PartChange, type PartSpec } from './composite-plan.js';
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
export { judgeHealth, type Health } from './rollout-plan.js';
