import type { FastifyReply } from 'fastify';
import { isUnchangedRead } from '@paved/store';

/** The JSON of answers the store keeps while the database is unchanged, by object, as UTF-8 bytes. */
const serialized = new WeakMap<object, Buffer>();

/**
 * Sends `payload` as returning it from the handler would (the route's response schema
 * serialises it), except that a result the store keeps while the database is unchanged
 * (store/src/unchanged-reads.ts: one instance, a team's page) is serialised once: it is frozen
 * all the way down, so the same object always makes the same JSON. A list of 50 spent as much on
 * serialising as SQLite on reading it. The JSON is kept encoded: a string would be encoded to
 * UTF-8 again by every response's socket write (≈ 50 KB for a page of 50). Anything else (a copy
 * with a deprecation, with parts) is serialised as usual.
 */
export function sendSerializedOnce(reply: FastifyReply, payload: object): FastifyReply {
  if (!isUnchangedRead(payload)) return reply.send(payload);
  let json = serialized.get(payload);
  if (json === undefined) {
    const made = reply.serialize(payload);
    if (typeof made !== 'string') return reply.send(made);
    serialized.set(payload, (json = Buffer.from(made)));
  }
  return reply.type('application/json; charset=utf-8').send(json);
}
