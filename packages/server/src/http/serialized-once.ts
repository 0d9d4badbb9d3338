import type { FastifyReply } from 'fastify';
import { isUnchangedRead } from '@paved/store';

/** The JSON of answers the store keeps while the database is unchanged, by object. */
const serialized = new WeakMap<object, string>();

/**
 * Sends `payload` as returning it from the handler would (the route's response schema
 * serialises it), except that a result the store keeps while the database is unchanged
 * (store/src/unchanged-reads.ts: one instance, a team's page) is serialised once: it is frozen
 * all the way down, so the same object always makes the same JSON. A list of 50 spent as much on
 * serialising as SQLite on reading it. Anything else (a copy with a deprecation, with parts) is
 * serialised as usual.
 */
export function sendSerializedOnce(reply: FastifyReply, payload: object): FastifyReply {
  if (!isUnchangedRead(payload)) return reply.send(payload);
  let json = serialized.get(payload);
  if (json === undefined) {
    const made = reply.serialize(payload);
    if (typeof made !== 'string') return reply.send(made);
    serialized.set(payload, (json = made));
  }
  return reply.type('application/json; charset=utf-8').send(json);
}
