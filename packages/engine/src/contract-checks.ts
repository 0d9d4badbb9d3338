import { createCheckSession, type CheckSession, type ContractCheck, type Driver, type DriverInstance, type Target } from '@paved/driver-api';
import type { CheckResult } from '@paved/model';
import type { Clock } from './types.js';

/** How long one contract check may run before it counts as failed. */
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export interface ChecksOutcome {
  /** One per check that ran, in the product's order. */
  results: CheckResult[];
  /** The first check that failed (the run stops there), with its error for lastError. */
  failed?: { name: string; message: string; error: unknown };
}

export interface ChecksInput {
  target: Target;
  instance: DriverInstance;
  /** Every output of the current credential, secret ones included. */
  outputs: Record<string, string>;
  /** The pass's signal: a lost lease stops the checks. */
  signal: AbortSignal;
  timeoutMs: number;
  /** Times the deadline. */
  clock: Clock;
  /** Values that must never reach a message (the secret outputs), stripped defensively. */
  redact: readonly string[];
}

function oneLine(error: unknown, redact: readonly string[]): string {
  let text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim() || 'failed without a message';
  for (const secret of redact) if (secret.length > 0) text = text.split(secret).join('[redacted]');
  return text;
}

/** Why a check's deadline sleep ends early: the check settled. */
const SETTLED = 'settled';

/** A deadline for checks started together: their signal, the deadline's rejection, and its end. */
interface Deadline {
  signal: AbortSignal;
  /** Rejects when the time is up (and aborts `signal`); never settles once `end` was called. */
  reached: Promise<never>;
  /** Ends the deadline's sleep and stops following the pass's signal. */
  end(): void;
}

function startDeadline(input: ChecksInput): Deadline {
  const controller = new AbortController();
  const abort = () => controller.abort(input.signal.reason);
  input.signal.addEventListener('abort', abort, { once: true });
  // Ends the deadline's sleep once the checks settle, whichever way.
  const settled = new AbortController();
  const reached = input.clock.sleep(input.timeoutMs, settled.signal).then(() => {
    if (settled.signal.aborted) return new Promise<never>(() => {});
    const limit = input.timeoutMs % 1000 === 0 ? `${input.timeoutMs / 1000} s` : `${input.timeoutMs} ms`;
    const error = new Error(`did not finish within ${limit}`);
    controller.abort(error);
    throw error;
  });
  reached.catch(() => {}); // raced by each check; not an unhandled rejection when none is left
  return {
    signal: controller.signal,
    reached,
    end() {
      // With a reason of its own: abort() without one builds a DOMException and its stack.
      settled.abort(SETTLED);
      input.signal.removeEventListener('abort', abort);
    },
  };
}

/** Runs `check` until `deadline`; a check that ignores its signal is still cut off by the deadline. */
async function runUntil(check: ContractCheck, input: ChecksInput, session: CheckSession, deadline: Deadline): Promise<void> {
  await Promise.race([check.run({ target: input.target, instance: input.instance, outputs: input.outputs, signal: deadline.signal, session }), deadline.reached]);
}

/** Runs `check` with a deadline of its own. */
async function runWithTimeout(check: ContractCheck, input: ChecksInput, session: CheckSession): Promise<void> {
  const deadline = startDeadline(input);
  try {
    await runUntil(check, input, session, deadline);
  } finally {
    deadline.end();
  }
}

/**
 * Runs the product's contract checks in order with the issued credentials; stops at the first
 * failure (later checks would only repeat its cause, each with its own timeout). A driver whose
 * checks may run together (`checksTogether`) has them all started at once, reported the same way. A name the
 * driver does not offer fails like a check would: publishing refuses those, but a driver may
 * have changed since.
 */
export async function runContractChecks(driver: Driver, names: readonly string[], input: ChecksInput): Promise<ChecksOutcome> {
  const session = createCheckSession();
  try {
    return await runChecksIn(session, driver, names, input);
  } finally {
    // Closed in the background: the outcome is known, and waiting for the tenant's logout (an
    // AMQP close is a round trip to the broker, ≈ 2 ms) would only delay the pass's next write.
    // Unless the login has no room for a connection beside the checks' (closesBeforeReady).
    // The session's close ignores errors; every check has settled, so nothing still uses it.
    if (closesBeforeReady(driver, input.instance)) await session.close();
    else void session.close();
  }
}

/**
 * The tenant connections a run's checks hold at most: one, since they share a session keyed by
 * login and place (every driver's checks of one run use one login, in one database or vhost).
 */
const CHECK_CONNECTIONS = 1;

/**
 * Whether the checks' session must have closed before the pass goes on (to Ready, where the
 * requester gets the credentials): when the login's connection limit (Driver.connectionLimit)
 * is no more than the checks hold. A login limited to one connection would otherwise refuse
 * the requester's first connection while the checks' one is still closing on the server (1–5
 * ms: "too many connections for role"). Above that, the requester's first connection has a
 * slot free beside the closing one; only opening the whole limit within those milliseconds
 * could meet it, which is a client using every slot its plan gives, where any other connection
 * of its own (a second replica, a migration) would do the same. So the wait, one close round
 * trip, is paid only by logins at their smallest limit, and the default (20) never pays it. A
 * limit the driver cannot read is waited for: nothing to bet the requester's connection on.
 */
export function closesBeforeReady(driver: Driver, instance: DriverInstance): boolean {
  if (driver.connectionLimit === undefined) return false;
  let limit: number | undefined;
  try {
    limit = driver.connectionLimit(instance);
  } catch {
    return true;
  }
  return limit !== undefined && limit <= CHECK_CONNECTIONS;
}

async function runChecksIn(session: CheckSession, driver: Driver, names: readonly string[], input: ChecksInput): Promise<ChecksOutcome> {
  // Started now when the driver allows it (one round of the checks on the session's connection
  // instead of one each); otherwise each starts once the one before it passed.
  if (driver.checksTogether !== true) return inOrder(session, driver, names, input);
  // One deadline for them all: started at the same moment, each one's own would end with it.
  const deadline = startDeadline(input);
  const started = startAll(session, driver, names, input, deadline);
  try {
    return await inOrder(session, driver, names, input, started);
  } finally {
    // Nothing runs on the session once it closes: the checks after a failure settle first.
    await Promise.allSettled(started);
    deadline.end();
  }
}

/** Reads the outcomes (or runs the checks) in the product's order, up to the first failure. */
async function inOrder(session: CheckSession, driver: Driver, names: readonly string[], input: ChecksInput, started?: (Promise<void> | undefined)[]): Promise<ChecksOutcome> {
  const results: CheckResult[] = [];
  for (const [index, name] of names.entries()) {
    const check = driver.checks?.find((candidate) => candidate.name === name);
    if (check === undefined) {
      const message = `driver "${driver.type}" offers no check "${name}"`;
      results.push({ name, passed: false, message });
      return { results, failed: { name, message, error: new Error(message) } };
    }
    try {
      await (started?.[index] ?? runWithTimeout(check, input, session));
      results.push({ name, passed: true, message: 'passed' });
    } catch (error) {
      // The pass was interrupted (lost lease): not the check's fault; let the pass end.
      if (input.signal.aborted) throw input.signal.reason;
      const message = oneLine(error, input.redact);
      results.push({ name, passed: false, message });
      return { results, failed: { name, message, error } };
    }
  }
  return { results };
}

/**
 * Starts every check at once, in the product's order (so their first commands go out in that
 * order on a shared connection). The caller reads the outcomes in order and stops at the first
 * failure, as if they had run one by one; the later ones settle before the session closes
 * (each within its deadline), and their outcomes are not reported.
 */
function startAll(session: CheckSession, driver: Driver, names: readonly string[], input: ChecksInput, deadline: Deadline): (Promise<void> | undefined)[] {
  return names.map((name) => {
    const check = driver.checks?.find((candidate) => candidate.name === name);
    if (check === undefined) return undefined;
    const outcome = runUntil(check, input, session, deadline);
    // Read in order by the caller, or never when an earlier one failed: not an unhandled rejection.
    outcome.catch(() => {});
    return outcome;
  });
}
