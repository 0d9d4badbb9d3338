import type { CheckResult, Condition, ConditionType, InstanceStatus, Phase, ReasonOf } from '@paved/model';

/** A condition as the engine decides it; the transition time is filled in by `mergeConditions`. */
export type ConditionSpec = Omit<Condition, 'lastTransitionAt'>;

// One builder per condition type, each taking only the reasons the closed list allows there.

export function readyCondition(status: Condition['status'], reason: ReasonOf<'Ready'>, message: string): ConditionSpec {
  return { type: 'Ready', status, reason, message };
}

export function syncedCondition(status: Condition['status'], reason: ReasonOf<'Synced'>, message: string): ConditionSpec {
  return { type: 'Synced', status, reason, message };
}

export function deletingCondition(status: Condition['status'], reason: ReasonOf<'Deleting'>, message: string): ConditionSpec {
  return { type: 'Deleting', status, reason, message };
}

export function contractChecksCondition(status: Condition['status'], reason: ReasonOf<'ContractChecks'>, message: string): ConditionSpec {
  return { type: 'ContractChecks', status, reason, message };
}

/** A condition kept as it is (mergeConditions keeps its transition time too). */
export function keptCondition(condition: Condition): ConditionSpec {
  return { type: condition.type, status: condition.status, reason: condition.reason, message: condition.message };
}

export function findCondition(conditions: readonly Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/** Whether `conditions` holds a condition of this type with exactly this status and reason. */
export function hasCondition(conditions: readonly Condition[] | undefined, spec: Pick<ConditionSpec, 'type' | 'status' | 'reason'>): boolean {
  const found = findCondition(conditions, spec.type);
  return found !== undefined && found.status === spec.status && found.reason === spec.reason;
}

const ORDER: readonly ConditionType[] = ['Ready', 'Synced', 'ContractChecks', 'Deleting'];

/**
 * The next set of conditions: exactly `next`, in a fixed order. `lastTransitionAt` moves only
 * when a condition's status flips (as in Kubernetes), so a pass that changes nothing produces
 * byte-identical conditions and the store's status hash skips the write.
 */
export function mergeConditions(previous: readonly Condition[] | undefined, next: readonly ConditionSpec[], nowIso: string): Condition[] {
  return [...next]
    .sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type))
    .map((spec) => {
      const before = findCondition(previous, spec.type);
      const lastTransitionAt = before !== undefined && before.status === spec.status ? before.lastTransitionAt : nowIso;
      return { type: spec.type, status: spec.status, reason: spec.reason, message: spec.message, lastTransitionAt };
    });
}

export interface StatusSpec {
  phase: Phase;
  conditions: readonly ConditionSpec[];
  /** Omitted: cleared. */
  lastError?: string;
  /** Per-check results of the last contract-check run; omitted: none shown. */
  checks?: CheckResult[];
}

/** Builds the next InstanceStatus from the previous one; `readyAt` is kept once set, and set on the first Ready. */
export function nextStatus(previous: InstanceStatus | undefined, spec: StatusSpec, nowIso: string): InstanceStatus {
  const status: InstanceStatus = {
    phase: spec.phase,
    conditions: mergeConditions(previous?.conditions, spec.conditions, nowIso),
  };
  if (spec.lastError !== undefined) status.lastError = spec.lastError;
  if (spec.checks !== undefined) status.checks = spec.checks.map((check) => ({ ...check }));
  const readyAt = previous?.readyAt ?? (spec.phase === 'Ready' ? nowIso : undefined);
  if (readyAt !== undefined) status.readyAt = readyAt;
  return status;
}

/** Same phase and the same conditions (ignoring transition times) and error: writing it would change nothing a person sees. */
export function sameStatus(a: InstanceStatus | undefined, b: InstanceStatus): boolean {
  if (a === undefined || a.phase !== b.phase || a.lastError !== b.lastError || a.conditions.length !== b.conditions.length) return false;
  if (JSON.stringify(a.checks ?? null) !== JSON.stringify(b.checks ?? null)) return false;
  return b.conditions.every((condition) => {
    const other = findCondition(a.conditions, condition.type);
    return other !== undefined && other.status === condition.status && other.reason === condition.reason && other.message === condition.message;
  });
}
