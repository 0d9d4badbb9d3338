/**
 * One admin client per target (a connection pool, or a single connection where the server runs
 * commands one at a time anyway), made on first use and shared by every call on that target.
 */
import type { Target } from './index.js';

export interface TargetClients<C> {
  /** The client for `target`, opened on first use. */
  forTarget(target: Target): C;
  /** Closes every client opened so far and forgets them; a client that fails to close is dropped. */
  closeAll(): Promise<void>;
}

export interface TargetClientOptions<C> {
  /** Reads the target's config (throwing its config errors) and makes a client; not yet connected is fine. */
  open(target: Target): C;
  close(client: C): Promise<void> | void;
}

/**
 * Clients keyed by the target's name and whole config, so a target whose config changed (a new
 * admin password, another public host) gets a client of its own instead of the old settings.
 * The old client stays open until `closeAll`: calls in flight may still be using it.
 */
export function createTargetClients<C>(options: TargetClientOptions<C>): TargetClients<C> {
  const clients = new Map<string, C>();
  return {
    forTarget(target) {
      const key = `${target.name}\0${JSON.stringify(target.config)}`;
      let client = clients.get(key);
      if (client === undefined) {
        client = options.open(target);
        clients.set(key, client);
      }
      return client;
    },
    async closeAll() {
      const all = [...clients.values()];
      clients.clear();
      await Promise.all(all.map(async (client) => {
        try {
          await options.close(client);
        } catch {
          // Shutting down: a connection already lost has nothing left to release.
        }
      }));
    },
  };
}

/**
 * `load`'s result, read on the first call and kept for every later one (a server's version, the
 * admin's rights). A failed read is not kept: the next call tries again, so a server that was
 * down at first is read once it is up.
 */
export function readOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

/**
 * `load`'s result, kept from the first call whose result is `settled`; until then every call
 * reads again. For a fact the driver brings about on a target (a plugin loaded, databases
 * closed) that an operator may complete by hand meanwhile: seen without a restart, then free.
 */
export function readUntil<T>(load: () => Promise<T>, settled: (value: T) => boolean): () => Promise<T> {
  let kept: Promise<T> | undefined;
  return () =>
    kept ??
    load().then((value) => {
      if (settled(value)) kept = Promise.resolve(value);
      return value;
    });
}
