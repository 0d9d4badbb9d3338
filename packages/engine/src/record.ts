import type { DriverInstance } from '@paved/driver-api';
import type { CheckResult } from '@paved/model';
import type { EngineState, NewEvent } from '@paved/store';
import { runContractChecks, type ChecksOutcome } from './contract-checks.js';
import { errorChain } from './failure.js';
import { backoffDelay } from './backoff.js';
import { supportOf, type Pass, type Resolved } from './pass.js';
import type { ReconcilePlan } from './plan.js';
import { checksFailedStatus, readyStatus } from './status.js';
import { CREDENTIALS } from './outputs.js';

/**
 * When a pass that ends well is next due: the drift check, unless a rotation is waiting (now)
 * or the previous credential's revocation comes first. `engine` is the state this pass leaves.
 */
export function followUpDueAt(pass: Pass, engine: Pick<EngineState, 'rotation' | 'desiredRotation' | 'revokeAt'>): number {
  const now = pass.now();
  let due = now + pass.deps.driftIntervalMs;
  if (engine.desiredRotation > engine.rotation) due = now;
  if (engine.revokeAt !== null) due = Math.min(due, Math.max(now, engine.revokeAt));
  return due;
}

/** The engine state as this pass started; the rotation steps override what they change. */
export function rotationState(pass: Pass): Pick<EngineState, 'rotation' | 'desiredRotation' | 'revokeRotation' | 'revokeAt'> {
  const { rotation, desiredRotation, revokeRotation, revokeAt } = pass.claimed.engine;
  return { rotation, desiredRotation, revokeRotation, revokeAt };
}

/** Runs the contract checks `names` with every output of the current credential. */
export async function runChecks(pass: Pass, resolved: Resolved, names: readonly string[], instance: DriverInstance, outputs: Record<string, string>): Promise<ChecksOutcome> {
  const declared = resolved.product.manifest.spec.outputs;
  const redact = Object.entries(outputs).filter(([name]) => declared[name]?.secret === true).map(([, value]) => value);
  pass.assertLease();
  const started = pass.now();
  const outcome = await runContractChecks(resolved.driver, names, {
    target: resolved.target, instance, outputs, signal: pass.lease.signal, timeoutMs: pass.deps.checkTimeoutMs, clock: pass.deps.clock, redact,
  });
  pass.checksMs += pass.now() - started;
  pass.assertLease();
  return outcome;
}

/**
 * Status Ready with (optionally) the checks that just ran; clears intent and failures. The
 * pass's last write, as recordChecksFailed's: it ends the lease.
 * `repaired`: the plan that put a drifted resource back, recorded as drifted and repaired.
 */
export async function recordReady(
  pass: Pass,
  options: {
    outputs?: Record<string, string>; shownSecretKeys?: readonly string[]; repaired?: Pick<ReconcilePlan, 'reason' | 'message'>; checks?: CheckResult[]; engine?: Partial<EngineState>; events?: NewEvent[];
  } = {},
): Promise<void> {
  const now = pass.now();
  const status = readyStatus(pass.previous, pass.subject(), pass.nowIso(), options.checks);
  const events: NewEvent[] = [];
  if (pass.previous.readyAt === undefined) {
    // Where the time went (bench/time-to-ready-split.mjs): waiting to be claimed, and the checks within the pass.
    const requestedAt = Date.parse(pass.instance.createdAt);
    events.push(pass.event('instance.ready', {
      timeToReadyMs: Math.max(0, now - requestedAt), queuedMs: Math.max(0, pass.claimedAt - requestedAt), checksMs: pass.checksMs,
    }));
  }
  const repaired = options.repaired;
  if (repaired !== undefined) {
    events.push(pass.event('instance.drifted', { reason: repaired.reason, message: repaired.message }));
    events.push(pass.event('instance.repaired', { reason: repaired.reason }));
  }
  events.push(...(options.events ?? []));
  const state = { ...rotationState(pass), ...options.engine };
  await pass.recordLast({
    status,
    ...(options.outputs === undefined ? {} : { outputs: options.outputs }),
    observedGeneration: pass.instance.generation,
    engine: { pendingAction: null, attempts: 0, dueAt: followUpDueAt(pass, state), ...options.engine },
    events,
    // A create's stream in this process reveals the credentials with the Ready: told them as committed, it need not read them again.
    shownWithSecret: CREDENTIALS,
    // The credentials this pass stored, by name: an event a watcher wants with the Ready may name them (Store.rideOnReady).
    ...(options.shownSecretKeys === undefined ? {} : { shownSecretKeys: options.shownSecretKeys }),
  });
}

/**
 * A contract check failed: phase Failed at once (the credentials do not do what the product
 * promises), retried with the capped backoff; the next pass re-runs the checks because the
 * ContractChecks condition is not True.
 */
export async function recordChecksFailed(pass: Pass, resolved: Resolved, outcome: Required<ChecksOutcome>, outputs?: Record<string, string>): Promise<void> {
  const attempts = pass.claimed.engine.attempts + 1;
  const status = checksFailedStatus(
    pass.previous,
    { results: outcome.results, name: outcome.failed.name, message: outcome.failed.message, lastError: errorChain(outcome.failed.error), support: supportOf(resolved.product) },
    pass.subject(),
    pass.nowIso(),
  );
  const events: NewEvent[] = [];
  if (pass.previous.phase !== 'Failed') {
    const ready = status.conditions.find((condition) => condition.type === 'Ready');
    events.push(pass.event('instance.failed', { reason: 'CheckFailed', check: outcome.failed.name, message: ready?.message }));
  }
  pass.deps.logger.warn({ instanceId: pass.instance.id, check: outcome.failed.name, attempts, err: status.lastError }, 'contract check failed');
  await pass.recordLast({
    status,
    ...(outputs === undefined ? {} : { outputs }),
    observedGeneration: pass.instance.generation,
    engine: { pendingAction: null, attempts, dueAt: pass.now() + backoffDelay(attempts, pass.deps.backoff, pass.deps.random) },
    events,
  });
}
