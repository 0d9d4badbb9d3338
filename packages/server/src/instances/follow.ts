import type { Instance } from '@paved/model';
import type { InstanceChangeTold, SecretEnvelopeRow, Store } from '@paved/store';
import type { InstanceWatchEvent } from './service.js';

/** An instance followed from before it is known: `start` with it once read (or created), `stop` to end. */
export interface InstanceFollow {
  /**
   * Tells the listener `instance` (its state now), then every change of it. `ownChanges`: how
   * many of its changes told before `start` are the caller's own, already in `instance` (1 after
   * a create: the store tells its insert, synchronously, before it returns).
   */
  start(instance: Instance, ownChanges?: number): void;
  stop(): void;
}

/** How an instance is followed. */
export interface FollowOptions {
  /**
   * The watcher will reveal this secret of the instance (`credentials`, a stream's `?reveal=true`):
   * each re-read brings it along in the same statement (Store.getInstanceWithSecret), so the
   * reveal does not read it in a round trip of its own after the Ready status (bench/README.md §1,
   * round 18). It goes only to the reveal (InstanceWatchEvent's `sealedCredentials`), still sealed.
   */
  withSecret?: string;
}

/**
 * Follows one instance's changes for a watcher (the watch stream, a create that answers with
 * it). Subscribed at once, before the instance is read or created, so that no change is
 * missed; the changes that arrive before `start` (any instance's: its id is not known yet) are
 * noted, and only when the followed one changed is it read again. Re-reading unconditionally
 * cost a store read on every watch, on the path from a request to its credentials
 * (bench/README.md §1).
 */
export function followInstance(store: Store, listener: (event: InstanceWatchEvent) => void, options: FollowOptions = {}): InstanceFollow {
  const { withSecret } = options;
  let followed: string | undefined;
  let stopped = false;
  const changedBeforeStart = new Map<string, number>();
  const unsubscribe = store.onInstanceChange((change) => {
    if (followed === undefined) changedBeforeStart.set(change.instanceId, (changedBeforeStart.get(change.instanceId) ?? 0) + 1);
    else if (change.instanceId === followed) recheck(change.committed);
  });
  let last = '';
  // Re-reads are chained so that events reach the listener in the order of the changes.
  let queue = Promise.resolve();
  /**
   * `committed`: the change's instance as its write committed it (the engine's Ready on
   * PostgreSQL, InstanceChangeTold.committed), with the secret this follow reads: told instead of
   * a re-read, the state the re-read would find unless a later change, which is told after it.
   */
  const recheck = (committed?: InstanceChangeTold['committed']) => {
    const told = committed !== undefined && (withSecret === undefined || committed.secretName === withSecret) ? committed : undefined;
    queue = queue.then(async () => {
      if (stopped) return;
      let current: Instance | undefined;
      let sealedCredentials: SecretEnvelopeRow | null | undefined;
      if (told !== undefined) {
        current = told.instance;
        if (withSecret !== undefined) sealedCredentials = told.secret;
      } else if (withSecret === undefined) current = await store.getInstance(followed!);
      else ({ instance: current, secret: sealedCredentials } = (await store.getInstanceWithSecret(followed!, withSecret)) ?? {});
      if (stopped) return;
      if (!current) {
        stop();
        listener({ type: 'deleted' });
        return;
      }
      const next = fingerprint(current);
      if (next === last) return;
      last = next;
      listener(sealedCredentials === undefined ? { type: 'status', instance: current } : { type: 'status', instance: current, sealedCredentials });
    }).catch(() => {
      // A failed re-read (store briefly unreachable) skips one update; the next change retries.
    });
  };
  const stop = () => {
    stopped = true;
    unsubscribe();
  };
  return {
    start(instance, ownChanges = 0) {
      followed = instance.id;
      last = fingerprint(instance);
      listener({ type: 'status', instance });
      // Only another's change is read: a create's own would cost a store read beside the engine's
      // first pass, for the state the listener was just told.
      if ((changedBeforeStart.get(instance.id) ?? 0) > ownChanges) recheck();
      changedBeforeStart.clear();
    },
    stop,
  };
}

/** What a watcher compares: a change of anything it would show. */
function fingerprint(instance: Instance): string {
  return `${instance.updatedAt}|${JSON.stringify(instance.status)}`;
}
