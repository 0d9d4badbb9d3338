/** Exponential backoff settings: the first retry waits up to `baseMs`, doubling per attempt, never more than `maxMs`. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ baseMs: 500, maxMs: 5 * 60_000 });

/**
 * The cap while the target cannot be reached (TargetUnreachable). Much shorter than the
 * default's: each try is cheap (a refused connection), and the cap bounds how long an instance
 * waits after its target is back. With full jitter every waiting instance tries again within
 * this long of the target's return. docs/conditions.md and docs/operations.md state it.
 */
export const UNREACHABLE_RETRY_MAX_MS = 10_000;

/**
 * Delay before retry number `attempts` (1 = first retry), with "full jitter": a uniform draw
 * between 0 and the capped exponential ceiling. Full jitter spreads out the retries of many
 * instances that failed together (a target that went down), instead of having them all hit the
 * target again at the same instant. `random` returns [0, 1) and is a parameter so tests can pin it.
 */
export function backoffDelay(attempts: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempts) - 1);
  // 2 ** 1024 is Infinity: Math.min caps it, so a huge attempt count stays well defined.
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.floor(draw * Math.max(0, ceiling));
}
