import type { CreateInstanceRequest, Credentials, Instance } from '@paved/model';
import type { Transport } from './transport.js';
import { StreamEvents } from './stream-events.js';
import { readEvents, readyWait, watchUntil, type ReadyCredentials, type WatchOptions } from './watch.js';

export interface CreateWatchedOptions {
  /** Have the credentials revealed on the stream with the first Ready status (as WatchOptions.reveal). */
  reveal?: boolean;
  /**
   * `one-request` (default): the create answers with its status stream (`?wait=ready`); a server
   * older than that answer creates as always and answers 202 JSON, told by the content type, and
   * the watch stream follows. `two-requests`: the create, then the watch stream, as before the
   * create's stream existed (benchmarks measure an older server this way).
   */
  way?: 'one-request' | 'two-requests';
}

/** A created instance, followed from its create. */
export interface CreatedWatch {
  /** As created (the create's answer). */
  instance: Instance;
  /**
   * Follows its status as watchInstance does: `onStatus` with `instance` first, then every
   * change, until it is deleted, `signal` aborts or `stopped()` says so after an event; a
   * dropped stream is followed on the watch stream. Once only.
   */
  follow(options: WatchOptions, stopped?: () => boolean): Promise<void>;
  /** Not followed after all (an instance awaiting approval): the stream is closed. */
  close(): Promise<void>;
}

/**
 * Creates an instance and follows it, in one request where the server offers it: the create
 * answers with the instance's status stream (docs/api.md, `?wait=ready`), whose first status is
 * the created instance. A refused create is the usual error.
 */
export async function createWatched(transport: Transport, team: string, request: CreateInstanceRequest, options: CreateWatchedOptions = {}): Promise<CreatedWatch> {
  const path = `/api/v1/teams/${encodeURIComponent(team)}/instances`;
  const watched = (instance: Instance): CreatedWatch => ({
    instance,
    follow: (o, stopped = () => false) => watchUntil(transport, team, request.name, o, stopped),
    close: async () => {},
  });
  if (options.way === 'two-requests') return watched(await transport.json<Instance>('POST', path, { body: request }));
  // The request's own signal: the stream outlives this call, and whoever follows aborts it.
  const abort = new AbortController();
  const response = await transport.send('POST', path, {
    body: request, signal: abort.signal, accept: 'text/event-stream, application/json',
    query: { wait: 'ready', ...(options.reveal ? { reveal: 'true' } : {}) },
  });
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) return watched((await response.json()) as Instance);
  const events = new StreamEvents(response);
  const first = await events.next();
  if (first?.event !== 'status') {
    await events.close();
    // The server went away right after creating: the instance is there, the watch finds it.
    return watched(await transport.json<Instance>('GET', `${path}/${encodeURIComponent(request.name)}`));
  }
  const instance = JSON.parse(first.data) as Instance;
  return {
    instance,
    async follow(o, stopped = () => false) {
      const onAbort = () => abort.abort();
      o.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        o.onStatus(instance);
        if (o.signal?.aborted || stopped()) return void (await events.close());
        const end = await readEvents(events, o, () => {}, stopped);
        if (end === 'dropped') await watchUntil(transport, team, request.name, o, stopped);
      } finally {
        o.signal?.removeEventListener('abort', onAbort);
      }
    },
    close: () => events.close(),
  };
}

export interface CreateAndWaitOptions {
  signal?: AbortSignal;
  /** Called with the instance as created, before the wait. */
  onCreated?(instance: Instance): void;
  way?: CreateWatchedOptions['way'];
}

/**
 * Creates an instance and waits until it is Ready, returning it with its credentials: in one
 * request where the server offers it (the create's stream reveals them with the Ready status,
 * audited as revealCredentials), else the create, then waitForCredentials's watch stream. Failed
 * is a DriverError, deleted a DriverError `instance_deleted`, as waitForCredentials says them;
 * when the stream's reveal was refused or failed, `reveal` is asked, so the error is its.
 */
export async function createAndWaitForCredentials(
  transport: Transport, team: string, request: CreateInstanceRequest, reveal: () => Promise<Credentials>,
  options: CreateAndWaitOptions = {},
): Promise<ReadyCredentials> {
  const created = await createWatched(transport, team, request, { reveal: true, ...(options.way ? { way: options.way } : {}) });
  options.onCreated?.(created.instance);
  const waiting = readyWait();
  await created.follow({ ...waiting.callbacks, ...(options.signal ? { signal: options.signal } : {}) }, waiting.done);
  return waiting.result(team, request.name, reveal, options.signal);
}
