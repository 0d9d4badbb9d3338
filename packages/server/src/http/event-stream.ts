import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { StreamSlots } from './stream-slots.js';

/** An open text/event-stream response. */
export interface EventStream {
  /** Sends one event; its data is JSON (a data line is needed: EventSource parsers drop events without one). */
  send(event: string, data: unknown): void;
  /** Sends several events in one write. */
  sendAll(event: string, items: readonly unknown[]): void;
  /** Sends several events of different names, in this order, in one write, at once (not on the next tick). */
  sendEach(events: readonly (readonly [event: string, data: unknown])[]): void;
  /**
   * Holds what is sent from now until the current run of promise jobs has finished (the next
   * tick), then sends it in one write with whatever was held before it (at the opening: the
   * response's headers). sendEach sends at once again after that.
   */
  holdThisTurn(): void;
  /** A comment line, which clients ignore: tells proxies and tests the stream is alive. */
  comment(text: string): void;
  /** Ends the stream from the server's side. */
  end(): void;
  readonly ended: boolean;
}

export interface EventStreams {
  /**
   * Opens an event stream for `userId`: takes one of the user's stream slots (429
   * `too_many_streams` when none is free), runs `subscribe` (a refusal there is still an ordinary
   * problem response), then takes the reply over: a `: keepalive` comment every `keepaliveMs` so
   * that proxies keep it open. When it ends, from either side, the subscription is stopped and the
   * slot freed.
   */
  start(reply: FastifyReply, userId: string, subscribe: () => Promise<() => void>): Promise<EventStream>;
}

/**
 * The event streams of one route plugin; `slots` is shared by every plugin of the app. Open
 * streams never end by themselves, so closing the server ends them (else `app.close()` would
 * wait for every client to leave).
 */
export function eventStreams(app: FastifyInstance, keepaliveMs: number, slots: StreamSlots = new StreamSlots()): EventStreams {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });
  return {
    async start(reply, userId, subscribe) {
      const release = slots.take(userId);
      let stop: () => void;
      try {
        stop = await subscribe();
      } catch (error) {
        release();
        throw error;
      }
      return openStream(reply, () => {
        stop();
        release();
      });
    },
  };

  function openStream(reply: FastifyReply, onClose: () => void): EventStream {
    reply.hijack();
    const raw = reply.raw;
    // The headers set on the reply so far (the security headers, the rate limit's) go out too.
    raw.writeHead(200, {
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    open.add(raw);
    const keepalive = setInterval(() => raw.write(': keepalive\n\n'), keepaliveMs);
    const closed = () => {
      clearInterval(keepalive);
      open.delete(raw);
      onClose();
    };
    // A client gone while the subscription was made has already closed: free its slot now.
    if (raw.destroyed || raw.socket?.destroyed) closed();
    else raw.on('close', closed);
    const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    let held = false;
    return {
      send(event, data) {
        if (!raw.writableEnded) raw.write(frame(event, data));
      },
      sendAll(event, items) {
        if (!raw.writableEnded && items.length > 0) raw.write(items.map((item) => frame(event, item)).join(''));
      },
      sendEach(events) {
        if (raw.writableEnded || events.length === 0) return;
        raw.write(events.map(([event, data]) => frame(event, data)).join(''));
        // Node corks the socket for a response's write and sends it on the next tick, after
        // whatever the caller does next in this turn: a revealed credentials event waited for its
        // `completed` audit record's signature (bench/README.md §1 round 17). Sent now instead,
        // unless held (holdThisTurn).
        if (!held && raw.socket?.writableCorked) raw.socket.uncork();
      },
      holdThisTurn() {
        const socket = raw.socket;
        if (held || !socket || socket.destroyed) return;
        // Each write to the client is a system call that wakes the client's process, and on a
        // busy machine the woken process can take the core from this one: a stream's opening
        // sent its headers and each status it had gathered (a create's first status and its
        // pass's Provisioning one) in writes of their own, on the create's path to its credentials
        // (bench/README.md §1 round 25). The same bytes, in one write.
        held = true;
        socket.cork();
        process.nextTick(() => {
          held = false;
          socket.uncork();
        });
      },
      comment(text) {
        if (!raw.writableEnded) raw.write(`: ${text}\n\n`);
      },
      end() {
        raw.end();
      },
      get ended() {
        return raw.writableEnded;
      },
    };
  }
}

/** The OpenAPI response of an event-stream route. */
export const eventStreamResponse = { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } as const;

/** Keepalive period of event streams unless the app says otherwise. */
export const DEFAULT_KEEPALIVE_MS = 15_000;
