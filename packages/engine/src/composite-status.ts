import type { Instance, InstanceStatus } from '@paved/model';
import { deletingCondition, nextStatus, readyCondition, syncedCondition } from './conditions.js';
import { describeWaits, type PartWait } from './composite-plan.js';

/**
 * The statuses of a composite instance. Its conditions speak of parts, since the parts hold
 * the real resources; messages are deterministic (no times) so an unchanged wait writes nothing.
 */

export interface CompositeSubject {
  product: string;
  name: string;
  generation: number;
}

function partLine(instance: Instance): string {
  const ready = instance.status.conditions.find((condition) => condition.type === 'Ready');
  const why = ready?.message ? `: ${ready.message.replace(/\.$/, '')}` : '';
  return `part ${instance.parent?.part ?? instance.name} (${instance.product} "${instance.name}") failed${why}`;
}

export function compositeWaitingStatus(previous: InstanceStatus, waits: readonly PartWait[], nowIso: string): InstanceStatus {
  const message = `Waiting for parts: ${describeWaits(waits)}.`;
  return nextStatus(previous, {
    phase: 'Provisioning',
    conditions: [readyCondition('False', 'WaitingForParts', message), syncedCondition('False', 'WaitingForParts', message)],
  }, nowIso);
}

export function compositeFailedStatus(previous: InstanceStatus, failed: Instance, subject: CompositeSubject, nowIso: string): InstanceStatus {
  const message = `${subject.product} "${subject.name}": ${partLine(failed)}. Paved keeps retrying the part; see: paved get ${failed.name}`;
  return nextStatus(previous, {
    phase: 'Failed',
    conditions: [readyCondition('False', 'PartFailed', message), syncedCondition('False', 'PartFailed', message)],
    ...(failed.status.lastError === undefined ? {} : { lastError: `part ${failed.parent?.part ?? failed.name}: ${failed.status.lastError}` }),
  }, nowIso);
}

export function compositeReadyStatus(previous: InstanceStatus, parts: readonly Instance[], subject: CompositeSubject, nowIso: string): InstanceStatus {
  const names = parts.map((part) => `${part.parent?.part ?? part.name} (${part.product})`).join(', ');
  return nextStatus(previous, {
    phase: 'Ready',
    conditions: [
      readyCondition('True', 'Available', `${subject.product} "${subject.name}" is ready: its parts ${names} are Ready; its credentials are in the secret store.`),
      syncedCondition('True', 'ReconcileSuccess', `The parts match generation ${subject.generation} of the spec.`),
    ],
  }, nowIso);
}

export function compositeDeletingStatus(previous: InstanceStatus, remaining: readonly PartWait[], failed: Instance | undefined, subject: CompositeSubject, nowIso: string): InstanceStatus {
  const progress = remaining.length === 0 ? 'every part is gone' : `parts left: ${describeWaits(remaining)}`;
  const deleting = deletingCondition('True', 'DeletingParts', `Deleting the parts in reverse dependency order; ${progress}.`);
  if (failed !== undefined) {
    const message = `Deleting ${subject.product} "${subject.name}" is stuck: ${partLine(failed)}. Paved keeps retrying the part; see: paved get ${failed.name}`;
    return nextStatus(previous, { phase: 'Failed', conditions: [readyCondition('False', 'DeletionFailed', message), deleting] }, nowIso);
  }
  return nextStatus(previous, {
    phase: 'Deleting',
    conditions: [readyCondition('False', 'Deleting', `${subject.product} "${subject.name}" is being deleted.`), deleting],
  }, nowIso);
}
