import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { EventStream, EventStreams } from '../http/event-stream.js';
import { serveStatusStream } from './status-stream.js';

/**
 * Serves a stream whose subscription succeeds at once, on streams that only log when one is
 * opened (its HTTP 200 written); `beforeOpen` settles and queues a `process.nextTick` that logs
 * `ticked`: as the engine's pass, waiting on the same commit as a create's `completed` record,
 * goes on through promises and nextTicks (pg-pool's and mysql2's hand-over of an idle connection)
 * to its driver's first statement.
 */
async function serve(create: boolean, ticked: string): Promise<string[]> {
  const log: string[] = [];
  const stream: EventStream = { send() {}, sendAll() {}, sendEach() {}, comment() {}, end() {}, ended: false };
  const streams: EventStreams = {
    async start(_reply, _userId, subscribe) {
      await subscribe();
      log.push('stream opened');
      return stream;
    },
  };
  await serveStatusStream(streams, {
    request: {} as FastifyRequest, reply: {} as FastifyReply, userId: 'u', team: 't', instance: 'i',
    follow: () => Promise.resolve(() => {}),
    revealRecordFailed: () => {},
    ...(create ? { recordRevealAfterFollow: true } : {}),
    beforeOpen: () => Promise.resolve().then(() => process.nextTick(() => log.push(ticked))),
  });
  await new Promise<void>((resolve) => setImmediate(resolve));
  return log;
}

describe('serveStatusStream', () => {
  it("opens a create's stream after what its records' commit set going in that turn (the engine's pass calling the driver)", async () => {
    expect(await serve(true, "the driver's first statement")).toEqual(["the driver's first statement", 'stream opened']);
  });

  it("opens a watch's stream as soon as it has subscribed", async () => {
    expect(await serve(false, 'next tick')).toEqual(['stream opened', 'next tick']);
  });
});
