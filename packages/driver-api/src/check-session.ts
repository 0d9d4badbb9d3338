/**
 * Tenant connections for contract checks. The checks of one run share a CheckSession, so
 * connect, write-read and isolation log in once between them (a SCRAM login costs ~10 ms); a
 * check run on its own opens its connection and closes it.
 */
import type { CheckSession } from './index.js';

/** A CheckSession and the function that closes everything it opened (errors ignored). */
export function createCheckSession(): CheckSession & { close(): Promise<void> } {
  const opened = new Map<string, { value: Promise<unknown>; close: (value: any) => Promise<void> | void }>();
  return {
    use<T>(key: string, open: () => Promise<T>, close: (value: T) => Promise<void> | void): Promise<T> {
      let entry = opened.get(key);
      if (entry === undefined) {
        const value = open();
        // A failed open is not cached: the next check tries again and reports its own error.
        value.catch(() => opened.delete(key));
        entry = { value, close };
        opened.set(key, entry);
      }
      return entry.value as Promise<T>;
    },
    async close() {
      const entries = [...opened.values()];
      opened.clear();
      await Promise.all(entries.map(async (entry) => {
        try {
          await entry.close(await entry.value);
        } catch {
          // Opening failed (already reported by a check) or closing failed: nothing to keep.
        }
      }));
    },
  };
}

/** How a check logs in as the tenant. */
export interface CheckConnection<C> {
  /** Which login and place the connection is for (`postgres:<user>@<database>`): checks with the same key share it. */
  key: string;
  /** Logs in with the issued outputs; throws the check's own one-line error when refused. */
  open(): Promise<C>;
  /** Ends the connection politely (letting a queued command finish). */
  close(connection: C): Promise<void> | void;
  /** Tears it down at once when the check's signal aborts (default: `close`). */
  abort?(connection: C): void;
}

/**
 * Runs `work` on a tenant connection: the run's shared one when `session` is given (opened on
 * first use, closed with the session), else one opened for this call and closed after it, or
 * as soon as `signal` aborts, so a check cut off by its deadline does not hold a login open.
 */
export async function withCheckConnection<C, T>(
  session: CheckSession | undefined,
  signal: AbortSignal | undefined,
  connection: CheckConnection<C>,
  work: (connection: C) => Promise<T>,
): Promise<T> {
  if (session !== undefined) return work(await session.use(connection.key, () => connection.open(), (opened) => connection.close(opened)));
  const opened = await connection.open();
  const close = () => Promise.resolve(connection.close(opened)).catch(() => {});
  const onAbort = () => (connection.abort ? connection.abort(opened) : void close());
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await work(opened);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await close();
  }
}

/** How long a check connection's close waits for the server to let the connection go. */
export const GOODBYE_MS = 2_000;

/**
 * Waits until `gone` settles (the server has let the connection go: its side of the socket is
 * closed), at most GOODBYE_MS; past that it `tearDown`s the connection, so a server that no
 * longer answers does not hold up a pass that waits for the close (Driver.connectionLimit).
 */
export async function awaitGoodbye(gone: Promise<unknown>, tearDown: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, GOODBYE_MS, true)));
  const timedOut = await Promise.race([gone.then(() => false, () => false), late]);
  clearTimeout(timer);
  if (timedOut) tearDown();
}
