import type { Driver, Logger, Target } from '@paved/driver-api';
import type { Store } from '@paved/store';
import type { Instance, ProductVersion } from '@paved/model';
import type { SecretStore } from '@paved/secrets';
import type { Failpoint } from './failpoints.js';

/**
 * The engine's only source of time: due times, lease renewal, the claim loop's idle sleep and
 * contract-check timeouts all go through it, so tests drive every one of them with one fake
 * clock (shared with the store's `now`) instead of waiting for real time to pass.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves once `ms` have passed on this clock, or at once when `signal` aborts; never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * What a pass left its instance as: Ready, Failed, still on its way (`progressing`), retrying
 * after a failure, forgotten (`deleted`); or it ended without a result (a crash, a lost lease,
 * a store that could not record the result).
 */
export type PassResult = 'ready' | 'progressing' | 'retrying' | 'failed' | 'deleted' | 'crashed' | 'lost-lease' | 'store-error';

/**
 * Told about the engine's work, for the platform's metrics (Prometheus). Called after the fact
 * and never allowed to break a pass: an observer that throws is ignored.
 */
export interface EngineObserver {
  passEnded(pass: { product: string; result: PassResult; durationMs: number }): void;
  /** The instance reached Ready for the first time, `timeToReadyMs` after it was requested. */
  firstReady(instance: { product: string; timeToReadyMs: number }): void;
}

export interface EngineOptions {
  store: Store;
  /** Drivers by type ('postgres', 'secret', 'memory'). */
  drivers: Record<string, Driver>;
  targets: Target[];
  secrets: SecretStore;
  /**
   * Looks up the product version an instance is pinned to; default: the store. The engine
   * caches what it finds (a published version never changes).
   */
  products?: (name: string, version: string) => Promise<ProductVersion | undefined>;
  logger?: Logger;
  /** Default: the system clock. Give the store the same clock's `now`, or due times and leases disagree. */
  clock?: Clock;
  /** Unique per worker process; defaults to hostname:pid:random. */
  workerId?: string;
  /** Default 30 s; renewed every leaseMs / 3 while a pass runs. */
  leaseMs?: number;
  /** Reconciles run at once by this worker. Default 8. */
  concurrency?: number;
  /** Period of the drift check of Ready instances. Default 5 minutes. */
  driftIntervalMs?: number;
  /** Longest run of one contract check (product `spec.checks`) before it counts as failed. Default 10 s. */
  checkTimeoutMs?: number;
  /** Exponential backoff with full jitter. Default base 500 ms, cap 5 minutes. */
  backoff?: { baseMs: number; maxMs: number };
  /**
   * Called at each named crash point (FAILPOINTS). Production passes nothing; tests throw
   * from it to end a pass there, and the server's PAVED_CRASH_AT makes it SIGKILL the process
   * at one point (the end-to-end crash test).
   */
  failpoint?: (name: Failpoint) => void;
  /** Told when each pass ends and when an instance is first Ready (the platform's metrics). */
  observer?: EngineObserver;
  /** How often a running rollout is looked at (its instances' health, its soak). Default 1 s. */
  rolloutTickMs?: number;
  /**
   * The policies' say on moving one instance of a rollout, asked when its wave starts: why they
   * refuse it (the instance is then skipped, with that message), or undefined. The platform
   * passes the server's policy gate; absent, no policy is asked.
   */
  rolloutPolicyCheck?: RolloutPolicyCheck;
}

/** Why the policies refuse moving `instance` to `to` for `actor`, or undefined when they let it through. */
export type RolloutPolicyCheck = (instance: Instance, to: ProductVersion, actor: string) => Promise<string | undefined>;

export interface Engine {
  /** Starts the claim loop; woken by store writes, and by the earliest due time otherwise. */
  start(): void;
  /** Stops claiming, waits for running reconciles, releases leases. */
  stop(): Promise<void>;
  /** Ask the loop to look for work now. */
  wake(): void;
  /** Claims and reconciles whatever is due now, once; returns how many were reconciled. For tests and benchmarks. */
  runOnce(): Promise<number>;
  /** Claims one due rollout and runs one step of it; false when none was due. For tests. */
  runRolloutOnce(): Promise<boolean>;
}
