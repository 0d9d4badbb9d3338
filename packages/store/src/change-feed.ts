import { EventEmitter } from 'node:events';
import type { InstanceChangeListener } from './types.js';
import type { InstanceChange } from './dialect/adapter.js';

/**
 * The in-process side of onInstanceChange. The store emits here right after a write commits;
 * the dialect adapter emits here for other processes' writes (PostgreSQL NOTIFY), never for
 * ours, so each change reaches a local listener once. Changes heard from elsewhere (NOTIFY, or
 * relayed from another connection on the same SQLite file) reach every listener, but not the
 * listeners of this store's own commits (`onOwn`), so a relay never echoes a change back.
 */
export class ChangeFeed {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Every API watcher (server-sent events) is a listener; the default cap of 10 is a leak heuristic, not a limit we want.
    this.#emitter.setMaxListeners(0);
  }

  /** This store's own commits. */
  emit(changes: InstanceChange | InstanceChange[]): void {
    for (const change of Array.isArray(changes) ? changes : [changes]) {
      const event = { instanceId: change.instanceId, teamId: change.teamId };
      this.#emitter.emit('change', event);
      this.#emitter.emit('own', event);
    }
  }

  /** A change another connection committed. */
  heard(change: InstanceChange): void {
    this.#emitter.emit('change', { instanceId: change.instanceId, teamId: change.teamId });
  }

  on(listener: InstanceChangeListener): () => void {
    return this.#listen('change', listener);
  }

  onOwn(listener: InstanceChangeListener): () => void {
    return this.#listen('own', listener);
  }

  #listen(event: 'change' | 'own', listener: InstanceChangeListener): () => void {
    // A throwing listener must not break the write that triggered it, nor the other listeners.
    const safe: InstanceChangeListener = (change) => {
      try {
        listener(change);
      } catch {
        /* the listener's own problem */
      }
    };
    this.#emitter.on(event, safe);
    return () => this.#emitter.off(event, safe);
  }
}
