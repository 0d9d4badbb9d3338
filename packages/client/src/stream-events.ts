import type { HttpResponse } from './http-types.js';
import { SseParser, type ServerSentEvent } from './sse.js';

/**
 * The server-sent events of one response, one at a time: a status stream can be read in parts
 * (a create's first status, then the rest by whoever waits) without losing what a chunk held.
 */
export class StreamEvents {
  private readonly parser = new SseParser();
  private readonly reader;
  private readonly pending: ServerSentEvent[] = [];
  private closed = false;

  constructor(response: HttpResponse) {
    this.reader = response.body?.getReader();
  }

  /** The next event; undefined once the stream has ended (from the server's side, or the connection failed or was aborted). */
  async next(): Promise<ServerSentEvent | undefined> {
    while (this.pending.length === 0) {
      if (this.closed || !this.reader) return undefined;
      let chunk: Awaited<ReturnType<NonNullable<typeof this.reader>['read']>>;
      try {
        chunk = await this.reader.read();
      } catch {
        return undefined; // connection reset or aborted mid-stream
      }
      if (chunk.done) return undefined;
      this.pending.push(...this.parser.push(chunk.value));
    }
    return this.pending.shift();
  }

  /** Stops reading: the connection is released. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reader?.cancel().catch(() => undefined);
  }
}
