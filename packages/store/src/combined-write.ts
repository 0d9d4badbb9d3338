import type { Kysely } from '#kysely';
import type { Database } from './schema.js';

/**
 * A statement that writes many rows at once in place of many one-row writes of the same kind
 * (the engine's secret upserts, status updates and events, bench/README §3 round 8): one
 * statement for the client to serialise and for PostgreSQL to parse, bind, execute and
 * answer, instead of one a write. `run` returns each row's result, in the rows' order (the
 * lease-guarded update says which rows it changed, so a pass that lost its lease still finds
 * its write refused), or throws when it cannot say each row's own result. A throw fails every
 * write of the statement, and with them their shared batch: it is rolled back and runs again,
 * each write alone in its savepoint (group-commit.ts), where nothing is combined, so a failing
 * write still fails only itself.
 */
export interface CombinedStatement<R, O> {
  run(trx: Kysely<Database>, rows: readonly R[]): Promise<O[]>;
}

interface Call<O> {
  row: unknown;
  alone(): Promise<O>;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * The combined statements' calls of one turn of the event loop on one transaction's handle: the
 * writes of a batch start together (group-commit.ts `concurrent`), so their first statements
 * are made in one turn, and each later statement of theirs in the turn their answers arrive
 * in. At the turn's end, the calls of each statement go as one statement; a call alone of its
 * statement runs as it would have (`alone`), so a write run by itself is unchanged.
 */
class TurnCombiner {
  readonly #db: Kysely<Database>;
  readonly #pending = new Map<CombinedStatement<unknown, unknown>, Call<unknown>[]>();
  #scheduled = false;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  add<R, O>(statement: CombinedStatement<R, O>, row: R, alone: () => Promise<O>): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const calls = this.#pending.get(statement as CombinedStatement<unknown, unknown>);
      const call = { row, alone, resolve, reject } as Call<unknown>;
      if (calls === undefined) this.#pending.set(statement as CombinedStatement<unknown, unknown>, [call]);
      else calls.push(call);
      if (!this.#scheduled) {
        this.#scheduled = true;
        // The turn's end: the other writes' statements of this turn are made from their own callbacks.
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const groups = [...this.#pending];
    this.#pending.clear();
    for (const [statement, calls] of groups) {
      if (calls.length === 1) {
        const [call] = calls;
        call!.alone().then(call!.resolve, call!.reject);
        continue;
      }
      statement.run(this.#db, calls.map((call) => call.row)).then((results) => {
        if (results.length !== calls.length) throw new Error(`a combined write answered ${results.length} of its ${calls.length} rows`);
        calls.forEach((call, i) => call.resolve(results[i]));
      }).catch((error: unknown) => { for (const call of calls) call.reject(error); });
    }
  }
}

const combiners = new WeakMap<object, TurnCombiner>();

/** Statements made on `db` (a pipelined transaction's handle, postgres-pipeline.ts) may be combined from now on. */
export function combineOn(db: Kysely<Database>): void {
  combiners.set(db, new TurnCombiner(db));
}

/**
 * `row` written through `statement` with the other calls of this turn on `db`, where `db`
 * combines (combineOn); anywhere else, and alone in its turn, by `alone` (the one-row statement).
 */
export function combinedOrAlone<R, O>(db: Kysely<Database>, statement: CombinedStatement<R, O>, row: R, alone: () => Promise<O>): Promise<O> {
  const combiner = combiners.get(db);
  return combiner === undefined ? alone() : combiner.add(statement, row, alone);
}
