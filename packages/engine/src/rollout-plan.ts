import type { Instance, Rollout, RolloutTarget } from '@paved/model';

/**
 * The pure half of the rollout worker (docs/rollouts.md): what an instance's status says about
 * its health after a version move. No I/O, so tests need no fakes. How instances split into
 * waves is the model's (the API plans them when a rollout starts).
 */

export type Health = { kind: 'healthy' } | { kind: 'waiting' } | { kind: 'failed'; message: string };

/** Ready-condition reasons that mean a failure, final or being retried: a wave with one is unhealthy. */
const FAILING_REASONS = new Set(['RetryingAfterError', 'ProvisioningFailed', 'CheckFailed', 'TargetUnreachable']);

/**
 * Whether an instance moved to `version` at `sinceMs` is healthy there: its spec is `version`,
 * the engine has reconciled that spec (observedGeneration), it is Ready and every contract
 * check passed. A failure after the move counts at once (a rollout does not wait out
 * retries); before the engine's first result for the new spec only a failure recorded since
 * the move counts (an older Failed is what a rollback starts from). Someone else moving it to
 * another version, or deleting it, is a failure of the move.
 */
export function judgeHealth(instance: Instance | undefined, version: string, sinceMs: number): Health {
  if (instance === undefined) return { kind: 'failed', message: 'the instance was deleted' };
  if (instance.deletionRequested) return { kind: 'failed', message: 'the instance is being deleted' };
  if (instance.productVersion !== version) return { kind: 'failed', message: `moved to version ${instance.productVersion} meanwhile` };
  const ready = instance.status.conditions.find((condition) => condition.type === 'Ready');
  const failedCheck = instance.status.checks?.find((check) => !check.passed);
  const failing = instance.status.phase === 'Failed' || (ready !== undefined && FAILING_REASONS.has(ready.reason));
  const failure = (): Health => ({
    kind: 'failed',
    message: failedCheck !== undefined ? `contract check ${failedCheck.name} failed: ${failedCheck.message}` : (ready?.message ?? 'failed'),
  });
  if (instance.observedGeneration < instance.generation) {
    const recent = ready !== undefined && Date.parse(ready.lastTransitionAt) >= sinceMs;
    return failing && recent ? failure() : { kind: 'waiting' };
  }
  if (failing) return failure();
  if (instance.status.phase !== 'Ready' || ready?.status !== 'True') return { kind: 'waiting' };
  if (failedCheck !== undefined) return failure();
  return { kind: 'healthy' };
}

/** The targets of `wave`, with their positions in the rollout. */
export function targetsOfWave(rollout: Rollout, wave: number): { position: number; target: RolloutTarget }[] {
  return rollout.targets.map((target, position) => ({ position, target })).filter(({ target }) => target.wave === wave);
}
