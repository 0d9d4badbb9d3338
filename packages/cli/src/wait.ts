import type { PavedClient, WatchOptions } from '@paved/client';
import { DriverError, NotFoundError, UnavailableError, type Instance } from '@paved/model';
import type { Context } from './context.js';
import type { Io } from './io.js';
import { createProgress } from './progress.js';

/** Exit code after Ctrl-C stopped a wait (the shell's 128 + SIGINT); the work goes on in Paved. */
export const INTERRUPTED_EXIT = 130;

/** Follows the instance's status stream: the watch's, or the one its create answered with (`paved create --wait`). */
export type FollowInstance = (options: WatchOptions) => Promise<void>;

export type WaitGoal = 'ready' | 'deleted' | { rotation: number };
export type WaitOutcome =
  | { outcome: 'ready'; instance: Instance }
  | { outcome: 'failed'; instance: Instance }
  | { outcome: 'deleted' }
  | { outcome: 'timeout'; instance?: Instance }
  | { outcome: 'interrupted'; instance?: Instance };

/** One line for people: phase, and the reason/message of the condition that explains it. */
export function describeStatus(instance: Instance): string {
  const { phase, conditions } = instance.status;
  const type = phase === 'Deleting' ? 'Deleting' : 'Ready';
  const condition = conditions.find((c) => c.type === type) ?? conditions[0];
  if (!condition) return `${instance.name}: ${phase}`;
  return `${instance.name}: ${phase} · ${condition.reason}${condition.message ? ` — ${condition.message}` : ''}`;
}

/**
 * Follows the status stream until the goal is reached, the instance fails, the timeout
 * passes or the user presses Ctrl-C. Stopping the wait never stops the work on the server.
 */
export async function waitForInstance(
  io: Io, client: PavedClient, team: string, name: string, goal: WaitGoal, timeoutMs: number, follow: FollowInstance = (options) => client.watchInstance(team, name, options),
): Promise<WaitOutcome> {
  const controller = new AbortController();
  const progress = createProgress(io);
  let result: WaitOutcome | undefined;
  let last: Instance | undefined;
  const finish = (outcome: WaitOutcome) => {
    result ??= outcome;
    controller.abort();
  };
  const timer = setTimeout(() => finish({ outcome: 'timeout', instance: last }), timeoutMs);
  const unsubscribe = [
    io.onSignal('SIGINT', () => finish({ outcome: 'interrupted', instance: last })),
    io.onSignal('SIGTERM', () => finish({ outcome: 'interrupted', instance: last })),
  ];
  try {
    await follow({
      signal: controller.signal,
      onStatus(instance) {
        last = instance;
        progress.update(describeStatus(instance));
        if (typeof goal === 'object') {
          // A rotation is done when the credential asked for is the current one.
          if (instance.credentials.rotation >= goal.rotation && !instance.credentials.rotating) finish({ outcome: 'ready', instance });
          else if (instance.status.phase === 'Failed') finish({ outcome: 'failed', instance });
        } else if (instance.status.phase === 'Failed') {
          // Failed ends a wait for deletion too: Paved retries it only at the backoff cap, so
          // waiting on would just time out, and the condition says what to fix.
          finish({ outcome: 'failed', instance });
        } else if (goal === 'ready' && instance.status.phase === 'Ready') {
          finish({ outcome: 'ready', instance });
        }
      },
      onDeleted() {
        finish({ outcome: 'deleted' });
      },
    });
  } catch (error) {
    // A fast deletion can finish before the stream opens: gone is what we waited for.
    if (goal === 'deleted' && error instanceof NotFoundError) finish({ outcome: 'deleted' });
    else throw error;
  } finally {
    clearTimeout(timer);
    for (const off of unsubscribe) off();
    progress.stop();
  }
  // The stream can only end without an outcome if the instance vanished (ready goal) — report as deleted.
  return result ?? { outcome: 'deleted' };
}

/** A Failed instance as the error the user sees: the Ready condition's message (its reason as the code), then the underlying error. */
export function instanceFailed(instance: Instance): DriverError {
  const ready = instance.status.conditions.find((c) => c.type === 'Ready');
  const message = ready?.message ? `${instance.name} failed: ${ready.message}` : `${instance.name} failed`;
  const issues = instance.status.lastError ? [{ path: 'status.lastError', message: instance.status.lastError }] : [];
  return new DriverError(message, { code: ready?.reason ?? 'instance_failed', issues });
}

/**
 * `--wait` for Ready, ended the same way by every command that waits (create, init --apply,
 * apply, reconcile): the instance once Ready; Failed, a timeout or a deletion as the error the
 * user gets (its exit code from the catalogue); Ctrl-C as INTERRUPTED_EXIT, after saying that
 * the work goes on.
 */
export async function waitUntilReady(
  ctx: Context, team: string, name: string, timeout: { ms: number; text: string }, onSettled?: (instance: Instance) => void, follow?: FollowInstance,
): Promise<Instance | number> {
  const waited = await waitForInstance(ctx.io, await ctx.client(), team, name, 'ready', timeout.ms, follow);
  // Ready or Failed: where the feedback question may follow (feedback-prompt.ts).
  if (waited.outcome === 'ready' || waited.outcome === 'failed') onSettled?.(waited.instance);
  switch (waited.outcome) {
    case 'ready':
      return waited.instance;
    case 'failed':
      throw instanceFailed(waited.instance);
    case 'timeout':
      throw new UnavailableError(`${name} is not Ready after ${timeout.text}; Paved keeps working on it (paved get ${name})`, { code: 'wait_timeout' });
    case 'interrupted':
      ctx.err(`Stopped waiting. ${name} keeps provisioning in the background: paved get ${name}\n`);
      return INTERRUPTED_EXIT;
    case 'deleted':
      throw new DriverError(`${name} was deleted while waiting for it to become Ready`, { code: 'instance_deleted' });
  }
}

/**
 * `--wait` for an instance being deleted (delete, reconcile): 'gone' once it is; Failed or a
 * timeout as the error the user gets; Ctrl-C as INTERRUPTED_EXIT, after saying the work goes on.
 */
export async function waitUntilGone(ctx: Context, team: string, name: string, timeout: { ms: number; text: string }): Promise<'gone' | number> {
  const waited = await waitForInstance(ctx.io, await ctx.client(), team, name, 'deleted', timeout.ms);
  switch (waited.outcome) {
    case 'deleted':
      return 'gone';
    case 'failed':
      throw instanceFailed(waited.instance);
    case 'interrupted':
      ctx.err(`Stopped waiting. ${name} keeps being deleted in the background: paved get ${name}\n`);
      return INTERRUPTED_EXIT;
    default:
      throw new UnavailableError(`${name} is not deleted after ${timeout.text}; Paved keeps working on it (paved get ${name})`, { code: 'wait_timeout' });
  }
}
