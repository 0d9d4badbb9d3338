import type { InstanceStatus } from '@paved/model';
import { deletingCondition, nextStatus, readyCondition, syncedCondition } from './conditions.js';
import type { ReconcilePlan } from './plan.js';

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

export function readyStatus(previous: InstanceStatus, subject: StatusSubject, nowIso: string): InstanceStatus {
  return nextStatus(
    previous,
    {
      phase: 'Ready',
      conditions: [
        readyCondition('True', 'Available', `${subject.product} ${where(subject)} is ready; its credentials are in the secret store.`),
        syncedCondition('True', 'ReconcileSuccess', `The resource matches generation ${subject.generation} of the spec.`),
      ],
    },
    nowIso,
  );
}

/**
 * Drift found with drift mode 'report': Paved leaves the resource alone and says so. A resource
 * that still exists stays Ready (it works, it differs); one that vanished is Failed.
 */
export function driftReportStatus(previous: InstanceStatus, plan: ReconcilePlan, exists: boolean, subject: StatusSubject, nowIso: string): InstanceStatus {
  const synced = syncedCondition('False', plan.reason, plan.message);
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
