import type { DialectAdapter } from './dialect/adapter.js';

/** Results kept at most; past that they all go (a change of the database empties them anyway). */
const MAX_KEPT = 1_000;

/** Reads whose results are kept while the database stays unchanged; see unchangedReads. */
export type UnchangedReads = <T>(key: string, read: () => Promise<T>) => Promise<T>;

/**
 * The API's hottest reads (one instance by name, a team's page of instances, the auth epoch)
 * answered again without their statement while the database has not changed at all: before each
 * read the adapter's change counter (DialectAdapter.changeCounter) is taken — on SQLite without
 * waiting, on PostgreSQL the current snapshot, one round trip shared by many callers — and a
 * result read under the same counter is answered; any change, by this process, another one or
 * a person with SQL access, empties the lot. Where no counter is known (a transaction of this
 * SQLite connection in progress, a failed snapshot read) every read asks the database.
 *
 * The counter is taken after the caller asked and before the statement runs, so a result is at
 * least as new as the counter it is kept under, and the counter is at least as new as the
 * caller's question. On PostgreSQL, where taking the counter is a round trip, callers under the
 * same counter also share a read still under way (32 connections asking for the same page at once
 * make one read, not 32). A counter other than the last one seen empties the kept results, so a
 * result read under an older one is kept no longer than the next newer caller. Results are
 * frozen and shared by every caller: answered again, it is the same object (the API keeps its
 * JSON by object: server/src/http/serialized-once.ts, through isUnchangedRead).
 */
export function unchangedReads(adapter: DialectAdapter): UnchangedReads {
  let counter: string | undefined;
  const kept = new Map<string, Kept>();
  return async <T>(key: string, read: () => Promise<T>): Promise<T> => {
    const taken = adapter.changeCounter();
    const now = typeof taken === 'object' ? await taken : taken;
    if (now === undefined) return read();
    if (now !== counter) {
      kept.clear();
      counter = now;
    }
    const known = kept.get(key);
    if (known !== undefined) return (known.read ? known.value : known.reading) as T | Promise<T>;
    if (typeof taken !== 'object') {
      // A counter read without waiting (SQLite): kept once read, if no caller saw a newer one meanwhile.
      const value = deepFreeze(await read());
      if (counter === now) {
        if (kept.size >= MAX_KEPT) kept.clear();
        kept.set(key, { read: true, value });
      }
      return value;
    }
    const reading = read().then(deepFreeze);
    const entry: Kept = { read: false, reading };
    if (kept.size >= MAX_KEPT) kept.clear();
    kept.set(key, entry);
    // Once read, the value itself is answered (no promise to wait on); a failed read is not kept:
    // the next caller tries again (those already waiting get the failure).
    reading.then((value) => {
      if (kept.get(key) === entry) kept.set(key, { read: true, value });
    }, () => {
      if (kept.get(key) === entry) kept.delete(key);
    });
    return reading;
  };
}

/** A kept result, or the read of it still under way (shared by the callers under the same counter). */
type Kept = { read: true; value: unknown } | { read: false; reading: Promise<unknown> };

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
