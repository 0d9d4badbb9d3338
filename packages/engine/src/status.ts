import type { CheckResult, InstanceStatus } from '@paved/model';
import { contractChecksCondition, deletingCondition, findCondition, keptCondition, nextStatus, readyCondition, syncedCondition, type ConditionSpec } from './conditions.js';

/** What the status sentences name: enough for a person to know which resource and where. */
export interface StatusSubject {
  product: string;
  productVersion: string;
  target: string;
  externalName: string;
  generation: number;
}

function where(subject: StatusSubject): string {
  return `"${subject.externalName}" on target "${subject.target}"`;
}

/** Phase Provisioning while a create or update runs. Keeps the last error until a success clears it. */
export function workingStatus(previous: InstanceStatus, action: 'create' | 'update', subject: StatusSubject, nowIso: string): InstanceStatus {
  const reason = action === 'create' ? 'Creating' : 'Updating';
  const verb = action === 'create' ? 'Creating' : 'Updating';
  return nextStatus(
    previous,
    {
      phase: 'Provisioning',
      conditions: [
        readyCondition('False', reason, `${verb} ${subject.product} ${where(subject)}.`),
        syncedCondition('False', reason, `Applying generation ${subject.generation} of the spec.`),
      ],
      ...(previous.lastError === undefined ? {} : { lastError: previous.lastError }),
    },
    nowIso,
  );
}

/**
 * The ContractChecks condition and per-check results for a Ready status: from `checks` when
 * they just ran ([] when the product declares none: no condition), else the previous ones
 * carried over (a drift pass that changed nothing runs no checks).
 */
function checksPart(previous: InstanceStatus, checks: CheckResult[] | undefined): { conditions: ConditionSpec[]; checks?: CheckResult[] } {
  if (checks === undefined) {
    const before = findCondition(previous.conditions, 'ContractChecks');
    if (before === undefined || previous.checks === undefined) return { conditions: [] };
    return { conditions: [keptCondition(before)], checks: previous.checks };
  }
  if (checks.length === 0) return { conditions: [] };
  return {
    conditions: [contractChecksCondition('True', 'ChecksPassed', `contract checks passed: ${checks.map((check) => check.name).join(', ')}`)],
    checks,
  };
}

export function readyStatus(previous: InstanceStatus, subject: StatusSubject, nowIso: string, checks?: CheckResult[]): InstanceStatus {
  const part = checksPart(previous, checks);
  return nextStatus(
    previous,
    {
      phase: 'Ready',
      conditions: [
        readyCondition('True', 'Available', `${subject.product} ${where(subject)} is ready; its credentials are in the secret store.`),
        syncedCondition('True', 'ReconcileSuccess', `The resource matches generation ${subject.generation} of the spec.`),
        ...part.conditions,
      ],
      ...(part.checks === undefined ? {} : { checks: part.checks }),
    },
    nowIso,
  );
}

/**
 * A contract check failed: the resource exists and matches its spec, but the credentials do
 * not do what the product promises, so the instance is Failed (and retried with backoff).
 */
export function checksFailedStatus(
  previous: InstanceStatus,
  failure: { results: CheckResult[]; name: string; message: string; lastError: string; support: string },
  subject: StatusSubject,
  nowIso: string,
): InstanceStatus {
  const line = `contract check '${failure.name}' failed: ${failure.message.replace(/\.$/, '')}`;
  return nextStatus(
    previous,
    {
      phase: 'Failed',
      conditions: [
        readyCondition('False', 'CheckFailed', `${subject.product} ${where(subject)} exists, but ${line}. Paved re-runs the checks automatically; ask ${failure.support} if this persists.`),
        syncedCondition('True', 'ReconcileSuccess', `The resource matches generation ${subject.generation} of the spec.`),
        contractChecksCondition('False', 'CheckFailed', line),
      ],
      lastError: failure.lastError,
      checks: failure.results,
    },
    nowIso,
  );
}

/** A rotation was asked for, but the product's driver cannot rotate: say so and drop the request. */
export function rotationUnsupportedStatus(previous: InstanceStatus, driverType: string, subject: StatusSubject, nowIso: string): InstanceStatus {
  const ready = readyStatus(previous, subject, nowIso);
  const conditions: ConditionSpec[] = ready.conditions.map((condition) =>
    condition.type === 'Synced'
      ? syncedCondition('False', 'RotationUnsupported', `Product ${subject.product} (driver "${driverType}") does not support credential rotation; the request was dropped and the current credential stays.`)
      : keptCondition(condition),
  );
  return nextStatus(previous, { phase: 'Ready', conditions, ...(ready.checks === undefined ? {} : { checks: ready.checks }) }, nowIso);
}

/**
 * Drift found with drift mode 'report': Paved leaves the resource alone and says so. A resource
 * that still exists stays Ready (it works, it differs); one that vanished is Failed.
 */
export function driftReportStatus(previous: InstanceStatus, drift: { exists: boolean; message: string }, subject: StatusSubject, nowIso: string): InstanceStatus {
  const { exists } = drift;
  const synced = syncedCondition('False', exists ? 'Drifted' : 'ResourceMissing', drift.message);
  const ready = exists
    ? readyCondition('True', 'Available', `${subject.product} ${where(subject)} is available, but differs from its spec (see Synced).`)
    : readyCondition('False', 'ResourceMissing', `${subject.product} ${where(subject)} no longer exists; see Synced for what to do.`);
  return nextStatus(previous, { phase: exists ? 'Ready' : 'Failed', conditions: [ready, synced] }, nowIso);
}

export function deletingStatus(previous: InstanceStatus, subject: StatusSubject, nowIso: string): InstanceStatus {
  return nextStatus(
    previous,
    {
      phase: 'Deleting',
      conditions: [
        readyCondition('False', 'Deleting', `${subject.product} ${where(subject)} is being deleted.`),
        deletingCondition('True', 'DeletionInProgress', `Deleting ${where(subject)} and its credentials.`),
      ],
      ...(previous.lastError === undefined ? {} : { lastError: previous.lastError }),
    },
    nowIso,
  );
}
