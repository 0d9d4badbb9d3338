import { DriverError, NotFoundError, UnavailableError, type Credentials, type Instance } from '@paved/model';
import { StreamEvents } from './stream-events.js';
import type { Transport } from './transport.js';

export interface WatchOptions {
  signal?: AbortSignal;
  /**
   * Have the server reveal the credentials on the stream once Ready (audited like
   * revealCredentials, and needing the same role): `onCredentials` is called with them right
   * before `onStatus` with the first Ready status. When that reveal was refused or failed, the
   * Ready status comes alone; revealCredentials then says why.
   */
  reveal?: boolean;
  onCredentials?(credentials: Credentials): void;
  /** Called with the instance on every `status` event (the first one is its current state). */
  onStatus(instance: Instance): void;
  /** Called once when the instance is gone; the watch then resolves. */
  onDeleted?(): void;
}

export type StreamEnd = 'deleted' | 'aborted' | 'dropped';

/** How long a stream may take to end after its `deleted` event before it is closed anyway. */
const DELETED_END_MS = 100;

/**
 * Follows an instance's status stream until it is deleted or `signal` aborts. A dropped
 * connection is reopened once; a second drop with no event in between means the server is
 * going away, which is reported as UnavailableError instead of retrying forever.
 */
export async function watchInstance(transport: Transport, team: string, name: string, options: WatchOptions): Promise<void> {
  return watchUntil(transport, team, name, options, () => false);
}

/**
 * watchInstance, ended also once `stopped()` says so after an event (waitForCredentials, once
 * Ready): the stream is closed then, without aborting the request through its signal (an abort
 * builds an error and its stack on the way to the caller's credentials).
 */
export async function watchUntil(transport: Transport, team: string, name: string, options: WatchOptions, stopped: () => boolean): Promise<void> {
  const path = `/api/v1/teams/${encodeURIComponent(team)}/instances/${encodeURIComponent(name)}/watch`;
  let reconnects = 0;
  for (;;) {
    let progressed = false;
    let end: StreamEnd;
    try {
      end = await readStream(transport, path, options, () => (progressed = true), stopped);
    } catch (error) {
      if (options.signal?.aborted) return;
      // An instance forgotten while we were reconnecting has been deleted.
      if (reconnects > 0 && error instanceof NotFoundError) end = 'deleted';
      else throw error;
      options.onDeleted?.();
      return;
    }
    if (end === 'deleted' || end === 'aborted') return;
    if (progressed) reconnects = 0;
    if (reconnects >= 1) {
      throw new UnavailableError(`lost the status stream of ${team}/${name} from ${transport.baseUrl}`, { code: 'watch_dropped' });
    }
    reconnects++;
  }
}

async function readStream(transport: Transport, path: string, options: WatchOptions, progress: () => void, stopped: () => boolean): Promise<StreamEnd> {
  const response = await transport.send('GET', path, { accept: 'text/event-stream', signal: options.signal, ...(options.reveal ? { query: { reveal: 'true' } } : {}) });
  return readEvents(new StreamEvents(response), options, progress, stopped);
}

/**
 * Reads an instance's status stream (the watch's, or a create's with `?wait=ready`) until it
 * ends, calling `options`' callbacks; the stream is closed then.
 */
export async function readEvents(events: StreamEvents, options: WatchOptions, progress: () => void, stopped: () => boolean): Promise<StreamEnd> {
  try {
    for (;;) {
      const event = await events.next();
      if (event === undefined) return options.signal?.aborted ? 'aborted' : 'dropped';
      if (event.event === 'status') {
        progress();
        options.onStatus(JSON.parse(event.data) as Instance);
      } else if (event.event === 'credentials') {
        options.onCredentials?.(JSON.parse(event.data) as Credentials);
      } else if (event.event === 'deleted') {
        options.onDeleted?.();
        // The server ends the stream right after `deleted`; read to that end so the connection
        // goes back to the pool for the caller's next request instead of being closed (a new
        // connection on the next create's path, bench/README.md §1, round 9). Bounded, should it not end.
        if (!options.signal?.aborted) await events.ended(DELETED_END_MS);
        return 'deleted';
      }
      // Stopped from a callback: done now, without waiting for the aborted read to fail.
      if (options.signal?.aborted || stopped()) return 'aborted';
    }
  } finally {
    await events.close();
  }
}

/** An instance once Ready, with its credentials. */
export interface ReadyCredentials {
  instance: Instance;
  credentials: Credentials;
}

/**
 * Waits on the status stream until the instance is Ready and returns it with its credentials,
 * revealed on the stream itself (one request from here to credentials). A Failed instance is a
 * DriverError with its Ready condition's message; a deleted one a DriverError `instance_deleted`,
 * as `paved create --wait` says it (docs/errors.md). If the stream's reveal was refused or
 * failed, revealCredentials is asked, so the error is the reveal route's.
 */
export async function waitForCredentials(
  transport: Transport, team: string, name: string, reveal: () => Promise<Credentials>, options: { signal?: AbortSignal } = {},
): Promise<ReadyCredentials> {
  const stop = new AbortController();
  const abort = () => stop.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  const waiting = readyWait();
  try {
    await watchUntil(transport, team, name, { signal: stop.signal, ...waiting.callbacks }, waiting.done);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  return waiting.result(team, name, reveal, options.signal);
}

/** What waiting for Ready on a status stream keeps: the credentials revealed with Ready, and Ready or Failed. */
export interface ReadyWait {
  /** The stream's callbacks, with reveal=true. */
  callbacks: Pick<WatchOptions, 'reveal' | 'onCredentials' | 'onStatus'>;
  /** Ready or Failed has come: stop reading. */
  done(): boolean;
  /**
   * Once the stream has ended: the instance with its credentials (the reveal route asked when the
   * stream's reveal was refused or failed, so the error is its); Failed is a DriverError with its
   * Ready condition's message; no outcome, the signal's reason or a DriverError `instance_deleted`.
   */
  result(team: string, name: string, reveal: () => Promise<Credentials>, signal?: AbortSignal): Promise<ReadyCredentials>;
}

export function readyWait(): ReadyWait {
  let credentials: Credentials | undefined;
  let outcome: { ready: Instance } | { failed: Instance } | undefined;
  return {
    callbacks: {
      reveal: true,
      onCredentials: (revealed) => (credentials = revealed),
      onStatus(instance) {
        if (instance.status.phase === 'Ready') outcome = { ready: instance };
        else if (instance.status.phase === 'Failed') outcome = { failed: instance };
      },
    },
    done: () => outcome !== undefined,
    async result(team, name, reveal, signal) {
      if (outcome === undefined) {
        if (signal?.aborted) throw signal.reason;
        throw new DriverError(`${team}/${name} was deleted while waiting for it to become Ready`, { code: 'instance_deleted' });
      }
      if ('failed' in outcome) {
        const ready = outcome.failed.status.conditions.find((c) => c.type === 'Ready');
        throw new DriverError(`${name} failed${ready?.message ? `: ${ready.message}` : ''}`, { code: ready?.reason ?? 'instance_failed' });
      }
      return { instance: outcome.ready, credentials: credentials ?? (await reveal()) };
    },
  };
}
