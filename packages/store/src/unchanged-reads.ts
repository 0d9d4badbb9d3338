import type { DialectAdapter } from './dialect/adapter.js';

/** Results kept at most; past that they all go (a change of the database empties them anyway). */
const MAX_KEPT = 1_000;

/** Reads whose results are kept while the database stays unchanged; see unchangedReads. */
export type UnchangedReads = <T>(key: string, read: () => Promise<T>) => Promise<T>;

/**
 * The API's hottest reads (one instance by name, a team's page of instances) answered again
 * without a statement while the database has not changed at all: before each read the adapter's
 * change counter (DialectAdapter.changeCounter) is taken, without waiting; a result read under
 * the same counter is answered, and any change, by this process, another one or a person with
 * SQL access, empties the lot. Where no counter is known (PostgreSQL, or a transaction of this
 * connection in progress) every read asks the database.
 *
 * The counter is taken before the statement runs, so a result is at least as new as the counter
 * it is kept under; a result read while another caller already saw a newer counter is not kept.
 * Results are frozen and shared by every caller: answered again, it is the same object (the
 * API keeps its JSON by object: server/src/http/serialized-once.ts, through isUnchangedRead).
 */
export function unchangedReads(adapter: DialectAdapter): UnchangedReads {
  let counter: string | undefined;
  const kept = new Map<string, unknown>();
  return async <T>(key: string, read: () => Promise<T>): Promise<T> => {
    const now = adapter.changeCounter();
    if (now === undefined) return read();
    if (now !== counter) {
      kept.clear();
      counter = now;
    }
    if (kept.has(key)) return kept.get(key) as T;
    const value = deepFreeze(await read());
    if (counter === now) {
      if (kept.size >= MAX_KEPT) kept.clear();
      kept.set(key, value);
    }
    return value;
  };
}

/** Every object a kept read answered, and each object within it: frozen, all the way down. */
const frozenResults = new WeakSet<object>();

/** Whether `value` is (or is within) a result of these reads: frozen all the way down, so its JSON cannot change. */
export function isUnchangedRead(value: object): boolean {
  return frozenResults.has(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || frozenResults.has(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  frozenResults.add(value);
  return Object.freeze(value);
}
