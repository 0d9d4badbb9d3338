import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Credentials } from '@paved/model';
import type { EventStream, EventStreams } from '../http/event-stream.js';
import { streamReveal, type StreamReveal, type StreamRevealDeps } from './stream-reveal.js';
import type { InstanceWatchEvent } from './service.js';

/** One instance's status stream, as the watch route and a create with `?wait=ready` serve it. */
export interface StatusStreamRequest {
  request: FastifyRequest;
  reply: FastifyReply;
  userId: string;
  team: string;
  instance: string;
  /** Set with `?reveal=true`: the credentials go out with the first Ready status (stream-reveal.ts). */
  reveal?: StreamRevealDeps;
  /**
   * Subscribes, then tells `listener` the instance's state now and every change: the watch's
   * subscribe and read, or the create followed from before its insert. A refusal here is an
   * ordinary problem response (no stream is opened).
   */
  follow(listener: (event: InstanceWatchEvent) => void): Promise<() => void>;
  /**
   * The reveal's `received` record could not be written once `follow` succeeded. The watch
   * refuses the stream (throws); a create has made its instance by then, so it streams without
   * the reveal instead (the Ready status comes alone; the reveal route says why).
   */
  revealRecordFailed(error: unknown): void;
  /**
   * A create: the reveal's `received` record is written once `follow` has created the instance,
   * not beside it. The insert is what the engine waits for, and on SQLite the two writes queue
   * behind each other (bench/README.md §1, round 8); the record is still written before the stream
   * opens, long before Ready.
   */
  recordRevealAfterFollow?: boolean;
  /**
   * Awaited once `follow` succeeded, before the stream opens (the create's `completed` record);
   * with `recordRevealAfterFollow`, started right after the reveal's `received` record, not after it is written.
   */
  beforeOpen?(): Promise<void>;
}

/**
 * Serves the stream: `status` events (the first one the instance now), `deleted` once it is
 * gone, and with a reveal a `credentials` event right before the first Ready status. The
 * reveal's `received` record is written while `follow` subscribes and reads (on PostgreSQL both
 * are round trips of their own); the stream opens, and its first status goes out, only once it
 * is written.
 */
export async function serveStatusStream(streams: EventStreams, asked: StatusStreamRequest): Promise<void> {
  const { request, reply, team, instance } = asked;
  const early: InstanceWatchEvent[] = [];
  let send: (event: InstanceWatchEvent) => void = (event) => early.push(event);
  const { reveal } = asked;
  let recording: Promise<StreamReveal> | undefined;
  const startRecording = () => {
    if (reveal === undefined) return;
    recording = streamReveal(reveal, request, team, instance);
    // Its failure is handled below, where it is awaited.
    recording.catch(() => {});
  };
  // Asked for now, so recorded now, before anything is served (as the reveal route's request is).
  if (!asked.recordRevealAfterFollow) startRecording();
  let revealing: StreamReveal | undefined;
  let opening: Promise<void> | undefined;
  const subscribe = async () => {
    const following = asked.follow((event) => send(event));
    if (asked.recordRevealAfterFollow) {
      await following.then(() => {
        // The reveal's `received` record and the create's `completed` one started together (in
        // this order in the chain): on SQLite they share one commit, the engine's intent record's
        // (group-commit.ts), where one after the other took a commit more while the driver
        // worked, on the loop the pass's replies wait for (bench/README.md §1, round 9); on
        // PostgreSQL they go in one statement and one commit (store/src/repos/audit.ts, round 10).
        startRecording();
        opening = asked.beforeOpen?.();
        opening?.catch(() => {}); // awaited below, once the reveal's record has settled
      }, () => {});
    }
    // Both settle before either's failure is thrown: a refusal is recorded as the reveal's outcome.
    const [followed, recorded] = await Promise.allSettled([following, recording]);
    if (recorded.status === 'rejected') {
      try {
        asked.revealRecordFailed(recorded.reason);
      } catch (error) {
        if (followed.status === 'fulfilled') followed.value();
        throw error;
      }
    } else revealing = recorded.value;
    if (followed.status === 'rejected') throw followed.reason;
    const stop = followed.value;
    try {
      await (opening ?? asked.beforeOpen?.());
    } catch (error) {
      stop();
      throw error;
    }
    // On SQLite a create's records share the commit of the engine's intent record (above), whose
    // settling also lets the pass call its driver: the stream opens on the loop's next turn, so
    // that the driver's first statement, sent within this one (pg-pool and mysql2 hand a client
    // over on a nextTick), is not written behind the stream's answer (its HTTP 200 and first
    // status, socket writes of 0.1–2 ms on a busy machine, which nothing waits for: the
    // credentials come long after; bench/README.md §1 round 18).
    if (asked.recordRevealAfterFollow) await new Promise<void>((resolve) => setImmediate(resolve));
    return () => {
      stop();
      void revealing?.ended();
    };
  };
  let stream: EventStream;
  try {
    stream = await streams.start(reply, asked.userId, subscribe);
  } catch (error) {
    // Also when the stream was refused before subscribing (too many open): the record is under way.
    const recorded = await recording?.catch(() => undefined);
    await recorded?.ended(error);
    throw error;
  }
  const deliver = (event: InstanceWatchEvent, credentials?: Credentials) => {
    if (event.type === 'status') return stream.sendEach([...(credentials ? [['credentials', credentials] as const] : []), ['status', event.instance]]);
    stream.send('deleted', { team, instance });
    stream.end();
  };
  send = revealing ? revealing.sender(deliver, () => !stream.ended) : deliver;
  // The headers and the statuses gathered while subscribing go out in one write (the reveal's
  // sender delivers them in promise jobs of this turn; a Ready one waiting for its reveal comes after).
  if (early.length > 0) stream.holdThisTurn();
  for (const event of early.splice(0)) send(event);
}
