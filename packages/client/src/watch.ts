import { NotFoundError, UnavailableError, type Instance } from '@paved/model';
import { SseParser } from './sse.js';
import type { Transport } from './transport.js';

export interface WatchOptions {
  signal?: AbortSignal;
  /** Called with the instance on every `status` event (the first one is its current state). */
  onStatus(instance: Instance): void;
  /** Called once when the instance is gone; the watch then resolves. */
  onDeleted?(): void;
}

type StreamEnd = 'deleted' | 'aborted' | 'dropped';

/**
 * Follows an instance's status stream until it is deleted or `signal` aborts. A dropped
 * connection is reopened once; a second drop with no event in between means the server is
 * going away, which is reported as UnavailableError instead of retrying forever.
 */
export async function watchInstance(transport: Transport, team: string, name: string, options: WatchOptions): Promise<void> {
  const path = `/api/v1/teams/${encodeURIComponent(team)}/instances/${encodeURIComponent(name)}/watch`;
  let reconnects = 0;
  for (;;) {
    let progressed = false;
    let end: StreamEnd;
    try {
      end = await readStream(transport, path, options, () => (progressed = true));
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

async function readStream(transport: Transport, path: string, options: WatchOptions, progress: () => void): Promise<StreamEnd> {
  const response = await transport.send('GET', path, { accept: 'text/event-stream', signal: options.signal });
  if (!response.body) return 'dropped';
  const parser = new SseParser();
  const reader = response.body.getReader();
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch {
        if (options.signal?.aborted) return 'aborted';
        return 'dropped'; // connection reset mid-stream
      }
      if (chunk.done) return options.signal?.aborted ? 'aborted' : 'dropped';
      for (const event of parser.push(chunk.value)) {
        if (event.event === 'status') {
          progress();
          options.onStatus(JSON.parse(event.data) as Instance);
        } else if (event.event === 'deleted') {
          options.onDeleted?.();
          return 'deleted';
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
