import type { InstanceHold, Rollout, RolloutSettings, RolloutState, RolloutTargetState, WaveStage, Page } from '@paved/model';
import type { NewEvent, WriteOutcome } from './types.js';

/** Upgrades and fleet rollouts (migration 0020, docs/rollouts.md). */

export interface NewRollout {
  product: string;
  toVersion: string;
  settings: RolloutSettings;
  createdBy: string;
  /** The product's owner team: its events name it. */
  ownerTeamId: string;
  /** In the order they are upgraded; `wave` 0 first. */
  targets: { instanceId: string; team: string; instance: string; fromVersion: string; wave: number; state: RolloutTargetState; message: string }[];
  waves: number;
}

/** A rollout claimed by a worker, with the token that guards every write of this step. */
export interface ClaimedRollout {
  rollout: Rollout;
  /** Epoch ms of each target's last change, by position (a ready deadline counts from it). */
  changedAt: number[];
  leaseToken: string;
}

/** What one step of a rollout records, in one transaction, under its lease. */
export interface RolloutProgress {
  state?: RolloutState;
  wave?: number;
  stage?: WaveStage;
  /** Epoch ms; null clears it. */
  soakStartedAt?: number | null;
  message?: string;
  /** Epoch ms the rollout is next due; null: only a resume makes it due again. */
  dueAt: number | null;
  /** Changed targets, by position in `Rollout.targets`. */
  targets?: { position: number; state: RolloutTargetState; message: string }[];
  events?: NewEvent[];
}

/** What an upgrade (or a rollout's rollback) of one instance found. */
export type VersionMove = 'changed' | 'moved' | 'deleting' | 'gone';

export interface RolloutStore {
  /** Holds an instance (again: the reason is replaced); event `instance.held`. */
  holdInstance(instanceId: string, reason: string, actor: string): Promise<InstanceHold>;
  /** Lifts a hold; false when there was none. Event `instance.unheld`. */
  unholdInstance(instanceId: string, actor: string): Promise<boolean>;
  getHold(instanceId: string): Promise<InstanceHold | undefined>;
  /** The holds among these instances (a listing's page), in one read; instances without one are left out. */
  listHolds(instanceIds: readonly string[]): Promise<InstanceHold[]>;
  /**
   * Moves an instance from version `from` to `to` if it still runs `from` (else 'moved'), and
   * is not being deleted: generation + 1, due now, and event `kind` with `from`, `to` and
   * `rollout`, in one transaction.
   */
  moveInstanceVersion(id: string, move: { from: string; to: string; actor: string; kind: 'instance.upgraded' | 'instance.rolled-back'; rollout?: string }): Promise<VersionMove>;
  /** ConflictError `rollout_in_progress` while the product has a rollout that is not final. Event `rollout.started`. */
  createRollout(input: NewRollout): Promise<Rollout>;
  getRollout(id: string): Promise<Rollout | undefined>;
  /** The product's newest rollout. */
  latestRollout(product: string): Promise<Rollout | undefined>;
  /** Newest first. */
  listRollouts(page: { cursor?: string; limit?: number }): Promise<Page<Rollout>>;
  /**
   * Running → Paused (`pause`) or Paused → Running, due now, the soak started again (`resume`);
   * 'unchanged' when it already was, 'final' when it is Halted or Completed, 'rolling-back'
   * when it is rolling back (which no one pauses). Event `rollout.paused` / `rollout.resumed`.
   */
  setRolloutPaused(id: string, paused: boolean, actor: string): Promise<'changed' | 'unchanged' | 'final' | 'rolling-back'>;
  /** Claims the earliest due rollout without a live lease, for `leaseMs`. */
  claimDueRollout(input: { owner: string; leaseMs: number }): Promise<ClaimedRollout | undefined>;
  /**
   * Records a step under the lease. A rollout paused meanwhile stays Paused (a step's Running
   * never overrides it; a halt does).
   */
  recordRolloutProgress(id: string, leaseToken: string, progress: RolloutProgress): Promise<WriteOutcome>;
  releaseRolloutLease(id: string, leaseToken: string): Promise<void>;
}
