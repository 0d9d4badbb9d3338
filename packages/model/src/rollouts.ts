import type { PolicyDecision } from './policies/evaluate.js';

/**
 * Upgrades and fleet rollouts (docs/rollouts.md): one instance moved to a newer version of its
 * product, or every instance of a product moved in health-gated waves, and the holds that keep
 * an instance where it is.
 */

/** A hold on an instance: rollouts skip it and `paved upgrade` refuses it until it is lifted. */
export interface InstanceHold {
  instanceId: string;
  reason: string;
  heldBy: string;
  heldAt: string;
}

/**
 * Where a rollout stands. Running moves wave by wave; Paused waits for `resume`; RollingBack
 * moves the failed instances of a halted wave back; Halted, Completed are final.
 */
export type RolloutState = 'Running' | 'Paused' | 'RollingBack' | 'Halted' | 'Completed';
export const ROLLOUT_STATES: readonly RolloutState[] = ['Running', 'Paused', 'RollingBack', 'Halted', 'Completed'];

/** Within a running wave: its instances are being upgraded, or all are healthy and it soaks. */
export type WaveStage = 'applying' | 'soaking';

/**
 * One instance in a rollout. pending → upgrading → upgraded (healthy) or failed; a failed one
 * → rolling-back → rolled-back (or rollback-failed), or rollback-unsupported when its driver
 * cannot move it back. held / skipped / current are never touched.
 */
export type RolloutTargetState =
  | 'pending' | 'upgrading' | 'upgraded' | 'failed'
  | 'rolling-back' | 'rolled-back' | 'rollback-failed' | 'rollback-unsupported'
  | 'held' | 'skipped' | 'current';

export interface RolloutTarget {
  instanceId: string;
  team: string;
  instance: string;
  /** The version the instance ran when the rollout reached it (what a rollback goes back to). */
  fromVersion: string;
  /** 0 is the canary wave. */
  wave: number;
  state: RolloutTargetState;
  /** Why it is held, skipped or failed; empty otherwise. */
  message: string;
}

type Named = Pick<RolloutTarget, 'team' | 'instance'>;

/** A halted rollout's message, as the engine records it: the wave, the first failed instance and why. */
export function haltMessage(wave: number, waves: number, failed: Named, why: string): string {
  return `halted in wave ${wave + 1} of ${waves}: ${failed.team}/${failed.instance}: ${why}`;
}

/**
 * `message` as told to someone who may not read the teams of `hidden`: when it is a halt whose
 * failed instance is one of them, it says only that an instance of another team failed, since
 * instance names and failures stay inside their team.
 */
export function haltMessageFor(message: string, hidden: readonly Named[]): string {
  for (const target of hidden) {
    const at = message.indexOf(`: ${target.team}/${target.instance}: `);
    if (message.startsWith('halted in wave ') && at >= 0) return `${message.slice(0, at)}: an instance of another team failed`;
  }
  return message;
}

export interface RolloutSettings {
  /** Share of the instances in the canary wave, in percent (at least one instance). */
  canaryPercent: number;
  /** Each later wave is this many times the one before. */
  batchGrowth: number;
  /** How long a wave's instances must stay healthy before the next wave starts. */
  soakMs: number;
  /** How long an upgraded instance may take to be Ready before it counts as failed. */
  readyTimeoutMs: number;
}

export interface Rollout {
  id: string;
  product: string;
  toVersion: string;
  state: RolloutState;
  settings: RolloutSettings;
  /** The wave being applied or soaked (0: canary); the last wave's index when Completed. */
  wave: number;
  waves: number;
  stage: WaveStage;
  /** ISO time the current wave's soak began; absent while applying. */
  soakStartedAt?: string;
  /** One line on why it halted, paused or completed. */
  message: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  targets: RolloutTarget[];
}

/** Asking for a rollout: the version, and how to go (defaults in docs/rollouts.md). */
export interface StartRolloutRequest {
  to: string;
  canaryPercent?: number;
  batchGrowth?: number;
  soakSeconds?: number;
  readyTimeoutSeconds?: number;
}

/** One line of an upgrade's preview: something that differs between the two versions. */
export interface UpgradeChange {
  /** inputs, outputs, plans or driver. */
  area: 'inputs' | 'outputs' | 'plans' | 'driver';
  /** The input, output or plan (or plan value / limit, as `plan.key`). */
  path: string;
  change: 'added' | 'removed' | 'changed';
  /** One line for people. */
  message: string;
}

export interface UpgradePreview {
  team: string;
  instance: string;
  product: string;
  from: string;
  to: string;
  plan: string;
  changes: UpgradeChange[];
  /** Set when the upgrade cannot go ahead, with why (inputs that no longer fit, a missing plan, a hold…). */
  blocked?: string;
  /** What each policy in force decided about the move (judged as an update); absent when no policy is in force. */
  decisions?: PolicyDecision[];
}

export interface UpgradeRequest {
  /** Default: the product's latest version that is not a pre-release. */
  to?: string;
  /** Only preview; change nothing. */
  dryRun?: boolean;
  /** Allow moving to an older version. */
  allowDowngrade?: boolean;
}

export interface UpgradeResult {
  preview: UpgradePreview;
  /** Whether the instance was moved (false on a dry run or when it already runs `to`). */
  upgraded: boolean;
}

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
