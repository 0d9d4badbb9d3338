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

  /**
   * Reads what is left until the server ends the stream, for at most `ms`: a stream the server
   * ends (after `deleted`) read to its end keeps its connection for the next request (a response
   * cut off mid-stream closes it, node-request.ts). True when it ended.
   */
  async ended(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
    const drained = (async () => {
      while ((await this.next()) !== undefined) { /* nothing is expected after the last event */ }
      return true as const;
    })();
    try {
      return await Promise.race([drained, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops reading: the connection is released. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reader?.cancel().catch(() => undefined);
  }
}
