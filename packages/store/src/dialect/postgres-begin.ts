import type pg from 'pg';

const BEGIN = /^\s*begin\s*$/i;
/** What pg answers a BEGIN with, all Kysely reads of it (its driver awaits BEGIN, then runs the transaction). */
const BEGUN = Object.freeze({ command: 'BEGIN', rowCount: null, rows: [], fields: [] });

type Query = (...args: unknown[]) => unknown;

/**
 * A transaction's BEGIN travels with its first statement instead of a round trip ahead of it.
 * The pool's connections are in pg's pipeline mode (a query is written without waiting for the
 * answer to the one before), so BEGIN is written at once and reported done at once; the statement
 * that follows on this connection is written right behind it, and its answer also waits for
 * BEGIN's: a failed BEGIN fails the transaction's first statement, and the transaction (Kysely's,
 * or postgres-pipeline.ts's for the engine's grouped writes) rolls back.
 *
 * That the first statement runs before BEGIN is known to have succeeded is safe because a BEGIN on
 * a connection the pool hands out fails only with its session (connection lost, backend
 * terminated, or a transaction left aborted, which BEGIN does not end), and the statements written
 * behind it then fail the same way: none of them can run outside the transaction. One round trip
 * a transaction fewer: the create's, the engine's grouped writes, the audit's locked append.
 */
export function beginWithFirstStatement(client: pg.PoolClient): void {
  const query = client.query.bind(client) as Query;
  let begun: Promise<unknown> | undefined;
  client.query = ((text: unknown, ...rest: unknown[]) => {
    if (isBareBegin(text, rest)) {
      begun = query(text) as Promise<unknown>;
      // Its failure is reported by the next statement's answer (below), not as an unhandled rejection here.
      begun.catch(() => {});
      return Promise.resolve(BEGUN);
    }
    const result = query(text, ...rest);
    const ahead = begun;
    begun = undefined;
    if (ahead === undefined || !isPromise(result)) return result;
    return Promise.all([ahead, result]).then(([, answer]) => answer);
  }) as typeof client.query;
}

function isBareBegin(text: unknown, rest: unknown[]): boolean {
  if (typeof text !== 'string' || !BEGIN.test(text)) return false;
  // Kysely sends `begin` with an empty parameter list; a callback-style call is left as it is.
  return rest.length === 0 || (rest.length === 1 && Array.isArray(rest[0]) && rest[0].length === 0);
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
