import { DriverError, InputError, type InstanceStatus } from '@paved/model';
import { DRIVER_PENDING, isTargetUnreachable } from '@paved/driver-api';
import { UNREACHABLE_RETRY_MAX_MS } from './backoff.js';
import { deletingCondition, keptCondition, nextStatus, readyCondition, syncedCondition, type ConditionSpec } from './conditions.js';
import type { StatusSubject } from './status.js';

/** After this many consecutive failures an instance is Failed (Paved still retries, at the backoff cap). */
export const MAX_ATTEMPTS = 5;

/** How soon a pass that found the work still under way elsewhere looks again (a callback wakes it sooner). */
export const PENDING_POLL_MS = 5_000;

/** The driver says the work is under way elsewhere (driverPending): not a failure. */
export function isPending(error: unknown): boolean {
  return error instanceof DriverError && error.code === DRIVER_PENDING;
}

/** What the pass was doing when it failed; names the step in the message. */
export type FailureStage = 'prepare' | 'observe' | 'create' | 'update' | 'delete' | 'rotate' | 'revoke' | 'check';

/** Collapses whitespace so a multi-line driver message stays one line in a condition. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return oneLine(error.message) || error.name;
  return oneLine(String(error));
}

/**
 * The messages of an error and its causes, outermost first ("create failed: connect
 * ECONNREFUSED 127.0.0.1:5432"), for `status.lastError`. Drivers keep secrets out of their
 * messages (driver contract), so this adds none. Repeats are dropped (wrappers often copy
 * their cause's message) and the whole is capped so a runaway message cannot bloat the row.
 */
export function errorChain(error: unknown, maxLength = 1000): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    const message = messageOf(current);
    if (message !== '' && !parts.some((part) => part.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  const chain = parts.join(': ');
  return chain.length > maxLength ? `${chain.slice(0, maxLength - 1)}…` : chain;
}

/**
 * A driver that says retrying cannot help, or an instance whose stored inputs no longer fit its
 * product (InputError), fails for good; anything else (network, bugs) is worth another try.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof DriverError) return error.retryable;
  return !(error instanceof InputError);
}

/** What to do about a failure retrying cannot fix: the driver's own remedy when it gives one. */
function remedyOf(error: unknown): string {
  const remedy = error instanceof DriverError && error.remedy !== undefined ? oneLine(error.remedy).replace(/\.$/, '') : '';
  return remedy !== '' ? remedy : 'fix the cause, then run "paved reconcile"';
}

export interface FailureInput {
  stage: FailureStage;
  /** The deletion step that failed. */
  step?: string;
  error: unknown;
  /** Consecutive failures including this one. */
  attempts: number;
  deleting: boolean;
  /** Ready at the current generation: a failed drift check leaves a working resource Ready. */
  wasReady: boolean;
  /** Where to ask for help: the product's support channel or its owner team. */
  support: string;
}

export interface FailureOutcome {
  status: InstanceStatus;
  /** Entered (or stays in) phase Failed. */
  final: boolean;
}

function what(input: FailureInput, subject: StatusSubject): string {
  const resource = `"${subject.externalName}" on target "${subject.target}"`;
  switch (input.stage) {
    case 'prepare':
      return `Preparing the credentials of ${resource}`;
    case 'observe':
      return `Checking ${resource}`;
    case 'create':
      return `Creating ${resource}`;
    case 'update':
      return `Updating ${resource}`;
    case 'delete':
      return `Deleting ${resource} (step "${input.step ?? 'unknown'}")`;
    case 'rotate':
      return `Issuing a new credential for ${resource}`;
    case 'revoke':
      return `Revoking the previous credential of ${resource}`;
    case 'check':
      return `Running the contract checks of ${resource}`;
  }
}

/** The status after a failed pass: retrying (Provisioning/Deleting) or Failed, with one line saying what to do. */
export function failureStatus(previous: InstanceStatus, input: FailureInput, subject: StatusSubject, nowIso: string): FailureOutcome {
  const retryable = isRetryable(input.error);
  const lastError = errorChain(input.error);
  const cause = messageOf(input.error).replace(/\.$/, '');

  if (input.wasReady && (input.stage === 'rotate' || input.stage === 'revoke') && !input.deleting) {
    // The resource and its current credential still work: it stays Ready while Paved retries.
    const message = `${what(input, subject)} failed: ${cause}. The current credential keeps working; Paved retries automatically (attempt ${input.attempts}); ask ${input.support} if this persists.`;
    const reason = input.stage === 'rotate' ? 'RotationFailed' : 'RevocationFailed';
    const conditions: ConditionSpec[] = [readyCondition('True', 'Available', `${subject.product} "${subject.externalName}" on target "${subject.target}" is ready with its current credential.`), syncedCondition('False', reason, message)];
    const checks = previous.conditions.find((condition) => condition.type === 'ContractChecks');
    if (checks !== undefined) conditions.push(keptCondition(checks));
    return { status: nextStatus(previous, { phase: 'Ready', conditions, lastError, ...(previous.checks === undefined ? {} : { checks: previous.checks }) }, nowIso), final: false };
  }

  if (input.wasReady && input.stage === 'observe' && !input.deleting) {
    const message = `${what(input, subject)} failed: ${cause}. The resource was ready at the last check; Paved checks again shortly.`;
    const status = nextStatus(
      previous,
      {
        phase: 'Ready',
        conditions: [readyCondition('True', 'Available', `${subject.product} "${subject.externalName}" on target "${subject.target}" was ready at the last check.`), syncedCondition('False', 'ObserveFailed', message)],
        lastError,
      },
      nowIso,
    );
    return { status, final: false };
  }

  if (isPending(input.error)) {
    const message = `${what(input, subject)} is under way: ${cause}.`;
    const conditions: ConditionSpec[] = [readyCondition('False', 'WaitingForDriver', message), syncedCondition('False', 'WaitingForDriver', message)];
    if (input.deleting) conditions.push(deletingCondition('True', 'DeletionInProgress', `Deleting "${subject.externalName}" from target "${subject.target}".`));
    return { status: nextStatus(previous, { phase: input.deleting ? 'Deleting' : 'Provisioning', conditions }, nowIso), final: false };
  }

  if (isTargetUnreachable(input.error)) {
    // The request is fine and the target is down: waiting, never Failed for this alone.
    const message =
      `Target "${subject.target}" cannot be reached: ${cause}. ${what(input, subject)} waits for it; this is not a failure of the request: ` +
      `Paved tries again at least every ${UNREACHABLE_RETRY_MAX_MS / 1000} s and carries on as soon as the target answers; ask ${input.support} if this lasts.`;
    const conditions: ConditionSpec[] = [readyCondition('False', 'TargetUnreachable', message), syncedCondition('False', 'TargetUnreachable', message)];
    if (input.deleting) conditions.push(deletingCondition('True', 'DeletionInProgress', `Deleting "${subject.externalName}" from target "${subject.target}".`));
    return { status: nextStatus(previous, { phase: input.deleting ? 'Deleting' : 'Provisioning', conditions, lastError }, nowIso), final: false };
  }

  const final = !retryable || input.attempts >= MAX_ATTEMPTS;
  const advice = !retryable
    ? `Retrying will not help: ${remedyOf(input.error)}; ask ${input.support} if unsure.`
    : final
      ? `Gave up after ${input.attempts} attempts; Paved keeps retrying at longer intervals. Ask ${input.support} if this persists.`
      : `Paved retries automatically (attempt ${input.attempts} of ${MAX_ATTEMPTS}).`;
  const message = `${what(input, subject)} failed: ${cause}. ${advice}`;
  const reason = final ? (input.deleting ? 'DeletionFailed' : 'ProvisioningFailed') : 'RetryingAfterError';
  const conditions: ConditionSpec[] = [readyCondition('False', reason, message), syncedCondition('False', 'ReconcileError', message)];
  if (input.deleting) conditions.push(deletingCondition('True', 'DeletionInProgress', `Deleting "${subject.externalName}" from target "${subject.target}".`));
  const phase = final ? 'Failed' : input.deleting ? 'Deleting' : 'Provisioning';
  return { status: nextStatus(previous, { phase, conditions, lastError }, nowIso), final };
}

/** Configuration the instance needs is missing from this server: nothing a retry of the driver fixes. */
export type MissingReason = 'ProductVersionNotFound' | 'DriverNotFound' | 'TargetNotFound';

export function missingStatus(previous: InstanceStatus, reason: MissingReason, message: string, deleting: boolean, nowIso: string): InstanceStatus {
  const conditions: ConditionSpec[] = [readyCondition('False', reason, message), syncedCondition('False', reason, message)];
  if (deleting) conditions.push(deletingCondition('True', 'DeletionInProgress', 'Deletion is waiting for the problem in Ready to be fixed.'));
  return nextStatus(previous, { phase: 'Failed', conditions, lastError: message }, nowIso);
}
