import { EventEmitter } from 'node:events';
import type { InstanceChangeListener, InstanceChangeTold } from './types.js';
import type { InstanceChange } from './dialect/adapter.js';

/**
 * The in-process side of onInstanceChange. The store emits here right after a write commits;
 * the dialect adapter emits here for other processes' writes (PostgreSQL NOTIFY), never for
 * ours, so each change reaches a local listener once.
 */
export class ChangeFeed {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Every API watcher (server-sent events) is a listener; the default cap of 10 is a leak heuristic, not a limit we want.
    this.#emitter.setMaxListeners(0);
  }

  #told = 0;

  /** How many changes were told so far: a write that compares it before and after knows whether any was told meanwhile. */
  get told(): number {
    return this.#told;
  }

  /** `committed`: the one change's instance as committed (InstanceChangeTold.committed). */
  emit(changes: InstanceChange | InstanceChange[], committed?: InstanceChangeTold['committed']): void {
    for (const change of Array.isArray(changes) ? changes : [changes]) {
      this.#told++;
      this.#emitter.emit('change', committed === undefined ? { instanceId: change.instanceId, teamId: change.teamId } : { instanceId: change.instanceId, teamId: change.teamId, committed });
    }
  }

  on(listener: InstanceChangeListener): () => void {
    // A throwing listener must not break the write that triggered it, nor the other listeners.
    const safe: InstanceChangeListener = (change) => {
      try {
        listener(change);
      } catch {
        /* the listener's own problem */
      }
    };
    this.#emitter.on('change', safe);
    return () => this.#emitter.off('change', safe);
  }
}
