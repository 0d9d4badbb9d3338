import type { Instance, Rollout, RolloutTarget } from '@paved/model';

/**
 * The pure half of fleet rollouts (docs/rollouts.md): how instances split into waves, and what
 * an instance's status says about its health after a version move. No I/O, so the server's
 * preview and the worker share it and tests need no fakes.
 */

/** Defaults of `paved rollout`: a 10 % canary, each wave twice the one before, 30 s of soak, 10 min to be Ready. */
export const ROLLOUT_DEFAULTS = Object.freeze({ canaryPercent: 10, batchGrowth: 2, soakMs: 30_000, readyTimeoutMs: 10 * 60_000 });

/**
 * Wave sizes for `count` instances: the canary is `canaryPercent` of them rounded up (at least
 * one), each later wave `batchGrowth` times the one before (rounded up), the last takes the rest.
 */
export function waveSizes(count: number, canaryPercent: number, batchGrowth: number): number[] {
  const sizes: number[] = [];
  let left = count;
  let next = Math.max(1, Math.ceil((count * canaryPercent) / 100));
  while (left > 0) {
    const size = Math.min(left, next);
    sizes.push(size);
    left -= size;
    next = Math.max(size + 1, Math.ceil(size * batchGrowth));
  }
  return sizes;
}

/** The wave of each of `count` instances, in order (0: canary). */
export function assignWaves(count: number, canaryPercent: number, batchGrowth: number): number[] {
  return waveSizes(count, canaryPercent, batchGrowth).flatMap((size, wave) => Array.from({ length: size }, () => wave));
}

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

/** One line summing up a rollout's targets by state, for messages and the CLI. */
export function rolloutCounts(rollout: Rollout): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const target of rollout.targets) counts[target.state] = (counts[target.state] ?? 0) + 1;
  return counts;
}
