import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditInterface, AuditSource } from '@paved/model';
import type { Principal } from '../access/principal.js';

/**
 * Where the request being served comes from, for anything it calls, however deep (the audit
 * log's explicit records: token issued, sign-in), without passing it through every service.
 * Held in AsyncLocalStorage: the request itself, its origin made only when asked.
 */
export interface RequestOrigin {
  requestId: string;
  source: AuditSource;
  /** The caller, once the bearer hook has authenticated them. */
  principal(): Principal | undefined;
}

/** The header the CLI and the portal name themselves in: `cli/0.1.0`, `portal/…`. */
export const CLIENT_HEADER = 'paved-client';
const USER_AGENT_MAX = 200;

const requests = new AsyncLocalStorage<FastifyRequest>();

/**
 * onRequest hook: the rest of the request (its hooks, body parsing, handler) runs with the request
 * as its context. Fastify carries the context across body parsing itself (its content-type parser
 * resumes in the request's async scope), so no AsyncResource of ours is needed, and the origin is
 * made only when something asks for it (an audit record), not for every read: under read load
 * @fastify/request-context's resource, its second hook and an origin per request were ≈ 5 % of
 * the server's CPU (bench/README.md §2).
 */
export function registerRequestContext(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => requests.run(request, done));
}

/** The origin of the request being served; undefined outside a request (`paved up`'s own actions). */
export function currentOrigin(): RequestOrigin | undefined {
  const request = requests.getStore();
  return request === undefined ? undefined : originOf(request);
}

export function originOf(request: FastifyRequest): RequestOrigin {
  return { requestId: request.id, source: sourceOf(request), principal: () => request.principal ?? undefined };
}

/**
 * The client address as Fastify sees it (X-Forwarded-For is honoured only as far as the
 * server's trustProxy setting allows), the user agent, and the interface the caller claims.
 */
export function sourceOf(request: FastifyRequest): AuditSource {
  const userAgent = single(request.headers['user-agent'])?.slice(0, USER_AGENT_MAX);
  return { address: request.ip, ...(userAgent ? { userAgent } : {}), interface: interfaceOf(single(request.headers[CLIENT_HEADER])) };
}

function interfaceOf(header: string | undefined): AuditInterface {
  const name = header?.split('/')[0]?.trim().toLowerCase();
  return name === 'cli' || name === 'portal' ? name : 'api';
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
