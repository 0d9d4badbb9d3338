import type { PavedClient } from '@paved/client';
import { NotFoundError, type Instance } from '@paved/model';
import type { Io } from './io.js';
import { createProgress } from './progress.js';

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
export async function waitForInstance(io: Io, client: PavedClient, team: string, name: string, goal: WaitGoal, timeoutMs: number): Promise<WaitOutcome> {
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
    await client.watchInstance(team, name, {
      signal: controller.signal,
      onStatus(instance) {
        last = instance;
        progress.update(describeStatus(instance));
        if (goal === 'ready' && instance.status.phase === 'Ready') finish({ outcome: 'ready', instance });
        else if (goal === 'ready' && instance.status.phase === 'Failed') finish({ outcome: 'failed', instance });
        else if (typeof goal === 'object') {
          // A rotation is done when the credential asked for is the current one.
          if (instance.credentials.rotation >= goal.rotation && !instance.credentials.rotating) finish({ outcome: 'ready', instance });
          else if (instance.status.phase === 'Failed') finish({ outcome: 'failed', instance });
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
