import { AsyncLocalStorage } from 'node:async_hooks';
import type { DialectAdapter } from './dialect/adapter.js';

/** Results kept at most; past that they all go (a change of the database empties them anyway). */
const MAX_KEPT = 1_000;
/** Counters remembered as superseded at most; past that they are forgotten (see unchangedReads). */
const MAX_SUPERSEDED = 64;

/** Reads whose results are kept while the database stays unchanged; see unchangedReads. */
export interface UnchangedReads {
  /** `read` is given the change counter it is read under, when one is known. */
  <T>(key: string, read: (counter: string | undefined) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` as one question (an API request): its kept reads share the change counter taken
   * by the first of them, as long as this process writes nothing meanwhile. Taken after the
   * question was asked, that counter is new enough for every read of it; a write of this
   * process since (the question's own, say) makes the next read take a counter afresh. Where
   * the counter is read without waiting (SQLite) the question lasts while `fn` runs synchronously
   * (a kept read request, all of it); a read after an await of it takes its own counter.
   */
  asOneQuestion<T>(fn: () => T): T;
  /**
   * Runs `fn` as one question (asOneQuestion) once it may share its change counter with the
   * other questions asked in the same turn of the event loop. Where the counter is read without
   * waiting (SQLite) the questions asked while the loop is reading the requests that arrived
   * (its poll phase) are run together right after (a `setImmediate`, in the order asked), as one
   * question: its counter is taken when the first of them reads, so after every one of them was
   * asked — as new as each request's own — and one read of the WAL-index header (a system call)
   * serves them all instead of one each. A write of this process meanwhile still makes the next
   * read take a counter afresh. On PostgreSQL the same questions are run together once the
   * snapshot asked for after all of them arrived is here (one round trip for the lot), held while
   * they run synchronously as on SQLite: their kept reads are answered at once (`kept`), and a
   * read after an await takes a counter of its own.
   */
  asOneQuestionOnceArrived(fn: () => void): void;
  /**
   * The result kept under `key`, answered without a promise when the counter this read would
   * take is known now and is the one it was kept under: on SQLite always, on PostgreSQL once the
   * question's counter has arrived (a question's later reads). The same check as a read through
   * the function itself; undefined when it cannot be answered now (then read through it).
   */
  kept<T>(key: string): T | undefined;
}

/** The change counter a question's reads share, and this process's writes when it was taken. */
interface Question {
  counter: ReturnType<DialectAdapter['changeCounter']>;
  writes: number;
  /** The counter once a read of this question awaited it (PostgreSQL), for `kept`; undefined before. */
  arrived?: { from: Promise<string | undefined>; counter: string | undefined };
}

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
 *
 * Within a question (asOneQuestion: a read request, authentication and the route's read) the
 * counter is taken once, by the first read, and serves the later ones while this process has
 * written nothing (DialectAdapter.ownWrites): it was taken after the question was asked, which
 * is all a read owes its caller. Such a counter may have been superseded by a newer caller's
 * meanwhile: the read then takes a counter afresh (rather than empty the newer results).
 * On PostgreSQL, where the counter is a round trip, a question of asOneQuestion is held in an
 * AsyncLocalStorage and lasts across its awaits; the API's read requests (asOneQuestionOnceArrived)
 * are not: run once their counter has arrived, they are held while they run synchronously, as on
 * SQLite, and never enter it. On SQLite, where it is read without waiting and without a lock
 * (wal-index-header.ts), it lasts only while the question's function runs synchronously (nothing
 * else runs meanwhile, so the reads then are the question's): a kept read request is answered
 * within it, without a promise; a read after an await takes a counter of its own, as new or
 * newer. No AsyncLocalStorage there: on Node 20 one store entered turns on promise hooks for every
 * promise the process makes from then on, the engine's and the store's writes too
 * (bench/README.md §1, round 12).
 */
export function unchangedReads(adapter: DialectAdapter): UnchangedReads {
  let counter: string | undefined;
  const kept = new Map<string, Kept>();
  // Counters a newer one replaced: a question's counter may be one (it was taken at the
  // question's first read), and must not empty the results kept under the newer.
  const superseded = new Set<string>();
  const questions = adapter.changeCounterIsImmediate ? undefined : new AsyncLocalStorage<Question | undefined>();
  // The question whose function is running now, synchronously (SQLite's, PostgreSQL's batches); undefined outside one.
  let running: Question | undefined;
  const currentQuestion = (): Question | undefined => running ?? questions?.getStore();
  const counterNow = (afresh: boolean): ReturnType<DialectAdapter['changeCounter']> => {
    const question = currentQuestion();
    if (question === undefined) return adapter.changeCounter();
    const writes = adapter.ownWrites();
    if (afresh || question.counter === undefined || question.writes !== writes) {
      question.counter = adapter.changeCounter();
      question.writes = writes;
    }
    return question.counter;
  };
  // A function, not an await of its own: PostgreSQL's reads make no promise more for it.
  const arrived = (taken: Promise<string | undefined>, now: string | undefined): string | undefined => {
    const question = currentQuestion();
    if (question?.counter === taken) question.arrived = { from: taken, counter: now };
    return now;
  };
  const answer = async <T>(key: string, read: (counter: string | undefined) => Promise<T>): Promise<T> => {
    let taken = counterNow(false);
    let now = typeof taken === 'object' ? arrived(taken, await taken) : taken;
    if (now !== undefined && superseded.has(now)) {
      // The question's counter is older than another caller's: a newer one serves what they keep.
      taken = counterNow(true);
      now = typeof taken === 'object' ? arrived(taken, await taken) : taken;
    }
    if (now === undefined || superseded.has(now)) return read(undefined);
    if (now !== counter) {
      if (counter !== undefined) {
        if (superseded.size >= MAX_SUPERSEDED) superseded.clear();
        superseded.add(counter);
      }
      kept.clear();
      counter = now;
    }
    const known = kept.get(key);
    if (known !== undefined) return (known.read ? known.value : known.reading) as T | Promise<T>;
    if (typeof taken !== 'object') {
      // A counter read without waiting (SQLite): kept once read, if no caller saw a newer one meanwhile.
      const value = deepFreeze(await read(now));
      if (counter === now) {
        if (kept.size >= MAX_KEPT) kept.clear();
        kept.set(key, { read: true, value });
      }
      return value;
    }
    const reading = read(now).then(deepFreeze);
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
  const keptNow = <T>(key: string): T | undefined => {
    // The counter `answer` would take, where that needs no waiting; a PostgreSQL counter not yet
    // in this question is left to `answer` (taking one here would be a round trip unused).
    const question = currentQuestion();
    let now: string | undefined;
    if (question !== undefined && typeof question.counter === 'object' && question.writes === adapter.ownWrites()) {
      if (question.arrived?.from !== question.counter) return undefined;
      now = question.arrived.counter;
    } else if (adapter.changeCounterIsImmediate) {
      now = counterNow(false) as string | undefined;
    } else {
      return undefined;
    }
    if (now === undefined || now !== counter || superseded.has(now)) return undefined;
    const known = kept.get(key);
    return known?.read ? (known.value as T) : undefined;
  };
  // Runs `fn` with `question` as the one running synchronously, the outer one restored after.
  const runningAs = <T>(question: Question | undefined, fn: () => T): T => {
    const outer = running;
    running = question;
    try {
      return fn();
    } finally {
      running = outer;
    }
  };
  const asOneQuestion = <T>(fn: () => T): T => {
    // PostgreSQL: a question of its own in the AsyncLocalStorage, even when asked inside a batch's
    // synchronous run, whose question `running` holds (currentQuestion looks there first).
    if (questions !== undefined) return runningAs(undefined, () => questions.run({ counter: undefined, writes: 0 }, fn));
    return runningAs({ counter: undefined, writes: 0 }, fn);
  };
  // The questions asked since the last batch was answered, answered together next.
  let waiting: (() => void)[] = [];
  const runBatch = (batch: (() => void)[]): void => {
    for (const fn of batch) {
      try {
        fn();
      } catch (error) {
        // Not the others' failure: thrown once they have run, as it would have been alone.
        process.nextTick(() => {
          throw error;
        });
      }
    }
  };
  const answerWaiting = (): void => {
    const batch = waiting;
    waiting = [];
    if (questions === undefined) {
      asOneQuestion(() => runBatch(batch));
      return;
    }
    // PostgreSQL: the batch's counter is asked for now, after every one of its questions arrived,
    // and the batch is run once it is here — so its kept reads (the auth epoch, the instance) are
    // answered at once (`kept`), without the awaits and promises of a read through `answer`.
    const question: Question = { counter: adapter.changeCounter(), writes: adapter.ownWrites() };
    const taken = question.counter as Promise<string | undefined>;
    void taken.then((now) => {
      question.arrived = { from: taken, counter: now };
      // Held while the batch runs synchronously, as on SQLite, not in the AsyncLocalStorage: entered
      // once, that turns on promise hooks for every promise of the process (round 12); a read
      // after an await of a request takes a counter of its own.
      runningAs(question, () => runBatch(batch));
    });
  };
  return Object.assign(answer, {
    asOneQuestion,
    asOneQuestionOnceArrived: (fn: () => void): void => {
      waiting.push(fn);
      if (waiting.length === 1) setImmediate(answerWaiting);
    },
    kept: keptNow,
  });
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
