import { EventEmitter } from 'node:events';
import type { InstanceChangeListener } from './types.js';
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

  emit(changes: InstanceChange | InstanceChange[]): void {
    for (const change of Array.isArray(changes) ? changes : [changes]) {
      this.#emitter.emit('change', { instanceId: change.instanceId, teamId: change.teamId });
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
