import type { FastifyInstance } from 'fastify';
import type { Store } from '@paved/store';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route only reads and answers at once (no stream, no second look at the credential): see readsAsOneQuestion. */
    oneQuestion?: boolean;
  }
}

/** Route config of a read served as one question to the store (readsAsOneQuestion). */
export const ONE_QUESTION = { oneQuestion: true } as const;

/**
 * onRequest hook: a route configured with ONE_QUESTION is one question to the store
 * (Store.asOneQuestion): authentication's auth epoch and the route's kept reads share one change
 * counter, taken after the request arrived, instead of one each (on PostgreSQL a round trip), as
 * long as the request runs synchronously: a kept read all along, unchanged-reads.ts. A revocation committed before the request
 * arrived is under that counter; one committed while it is served is seen by the next request.
 * Opt-in per route: a stream's later reads, or a credential verified again before a reveal, must
 * take a counter of their own. The reads that arrived together (one poll of the event loop) are
 * answered together right after it, under one counter taken after all of them arrived
 * (Store.asOneQuestionOnceArrived): on SQLite one read of the WAL-index header, a system call,
 * for all of them instead of one each; on PostgreSQL one snapshot read, and the requests run
 * once it is here, so a kept epoch and instance answer without a promise; as exact, since no
 * request's counter is older than its arrival.
 */
export function readsAsOneQuestion(app: FastifyInstance, store: Pick<Store, 'asOneQuestionOnceArrived'>): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config?.oneQuestion !== true) return done();
    store.asOneQuestionOnceArrived(() => {
      // Run after the hook has returned (SQLite: after the loop's poll), so Fastify's hook runner no
      // longer catches what the rest of the request throws: answered here as it would answer it,
      // this request's error, not the process's nor the other waiting requests'.
      try {
        done();
      } catch (error) {
        reply.send(error);
      }
    });
  });
}
